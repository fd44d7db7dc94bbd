-- Measurement reports (README, "Measurement and experiments") from JSON lines (view
-- `report_lines`): one typed row per non-empty line, NULL fields where a line is not
-- a JSON object or a field has another JSON type.
SELECT
  report.format AS format,
  {number}(report.version) AS version,
  {number}(report.epsilon) AS epsilon,
  {number}(report.revenueStep) AS revenue_step,
  report.modules AS modules,
  report['group'] AS group_name,
  report.bits AS bits
FROM (
  SELECT {parse_measurement} AS report
  FROM report_lines
  WHERE line IS NOT NULL AND trim(line) <> ''
) AS parsed
