-- Contribution reports from JSON lines (view `report_lines`, one row per line): one typed
-- row per non-empty line. A field that is missing or of another JSON type is NULL, and so
-- is every field of a line that is not a JSON object. The gradient's fields and the
-- sketch's are read apart: Spark keeps a record's fields only up to the first mistyped
-- one, and a mistyped sketch must not cost a report its gradient.
SELECT
  head.format AS format,
  {number}(head.version) AS version,
  head.model AS model,
  {numbers}(head.gradient) AS gradient,
  {number}(sketch.sketchEpsilon) AS sketch_epsilon,
  {number}(sketch.sketchWidth) AS sketch_width,
  {numbers}(sketch.ones) AS ones
FROM (
  SELECT {parse_head} AS head, {parse_sketch} AS sketch
  FROM report_lines
  WHERE line IS NOT NULL AND trim(line) <> ''
) AS parsed
