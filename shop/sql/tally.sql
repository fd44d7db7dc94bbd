-- How many reports there are, how many count for the gradient, and how many for the priors.
SELECT
  COUNT(*) AS reports,
  SUM(CASE WHEN counted_for_gradient THEN 1 ELSE 0 END) AS counted,
  SUM(CASE WHEN counted_for_priors THEN 1 ELSE 0 END) AS sketched
FROM contributions
