-- Optimized unary encoding (Wang et al. 2017): a true 1 bit was sent as 1 with probability
-- 1/2, a true 0 with probability q = 1 / (e^epsilon + 1). Per sketch epsilon g with n_g
-- reports and C_gb ones at bucket b, the unbiased count of bucket b is
--   sum over g of (C_gb - n_g q_g) / (1/2 - q_g),
-- and a bucket nobody named is estimated around 0 with variance
--   sum over g of n_g q_g (1 - q_g) / (1/2 - q_g)^2.
-- A bucket is published, rounded, when its estimate is at least k and at least three
-- standard deviations of that noise (table `sketch_buckets`: 0 to the width - 1, so a
-- group without a single one at a bucket still counts there).
WITH groups AS (
  SELECT sketch_epsilon AS epsilon, COUNT(*) AS reports, 1 / (exp(sketch_epsilon) + 1) AS q
  FROM contributions
  WHERE counted_for_priors
  GROUP BY sketch_epsilon
),
ones_per_bucket AS (
  SELECT epsilon, bucket, COUNT(*) AS ones
  FROM (
    SELECT sketch_epsilon AS epsilon, {explode}(ones) AS bucket
    FROM contributions
    WHERE counted_for_priors
  ) AS bits
  GROUP BY epsilon, bucket
),
estimates AS (
  SELECT
    sketch.bucket AS bucket,
    SUM((COALESCE(bits.ones, 0) - groups.reports * groups.q) / (0.5 - groups.q)) AS estimate,
    -- The same for every bucket: each is joined with every group.
    SUM(groups.reports * groups.q * (1 - groups.q) / ((0.5 - groups.q) * (0.5 - groups.q))) AS null_variance
  FROM sketch_buckets AS sketch
    CROSS JOIN groups
    LEFT JOIN ones_per_bucket AS bits
      ON bits.epsilon = groups.epsilon AND bits.bucket = sketch.bucket
  GROUP BY sketch.bucket
)
SELECT bucket, round(estimate) AS count
FROM estimates CROSS JOIN job
WHERE estimate >= greatest(job.k, 3 * sqrt(null_variance))
ORDER BY bucket
