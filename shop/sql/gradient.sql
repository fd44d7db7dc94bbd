-- The sum of each weight's gradient over the counted reports (table `weight_positions`:
-- 0 to weights - 1).
SELECT
  weight.position AS position,
  SUM(gradient[weight.position + {first_index}]) AS total
FROM contributions CROSS JOIN weight_positions AS weight
WHERE counted_for_gradient
GROUP BY weight.position
ORDER BY position
