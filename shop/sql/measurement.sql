-- Randomized response: a report bit was sent as it is with probability p (`layout.keep`,
-- e^epsilon / (1 + e^epsilon)). A report's value of one cell (module x metric, four unary
-- levels) is estimated without bias as step * (ones - 4 (1 - p)) / (2p - 1), where ones
-- is the number of 1 bits among its levels and step the revenue step for revenue, else 1.
-- Per group and cell: the reports, and the sum and the sum of squares of their values.
-- Only reports of the layout (table `layout`: the first well-formed report's modules,
-- epsilon and revenue step) with one 0 or 1 per bit count (table `cells`: each cell's
-- number and step).
SELECT
  group_name,
  cell,
  COUNT(*) AS reports,
  SUM(value) AS total,
  SUM(value * value) AS squares
FROM (
  SELECT
    group_name,
    cells.cell AS cell,
    cells.step * (length(replace(substring(bits, cells.cell * 4 + 1, 4), '0', '')) - 4 * (1 - layout.keep))
      / (2 * layout.keep - 1) AS value
  FROM measurement_reports
    CROSS JOIN layout
    CROSS JOIN cells
  WHERE format = 'shelfwise-report'
    AND version = 1
    AND modules = layout.layout_modules
    AND epsilon = layout.layout_epsilon
    AND revenue_step = layout.layout_revenue_step
    AND group_name IS NOT NULL
    AND length(bits) = layout.width
    AND length(replace(replace(bits, '0', ''), '1', '')) = 0
) AS values_per_cell
GROUP BY group_name, cell
ORDER BY group_name, cell
