-- Contribution reports from Parquet (view `report_rows`), columns named as the JSON fields.
SELECT
  format,
  version,
  model,
  gradient,
  sketchEpsilon AS sketch_epsilon,
  sketchWidth AS sketch_width,
  ones
FROM report_rows
