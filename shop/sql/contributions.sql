-- Which reports count (table `job`: the model's version, its number of weights, the
-- sketch width). For the gradient: the format, version 1, the model ranked with, and
-- exactly one finite number per weight. For the priors: counted for the gradient, and a
-- sketch of the right width, an epsilon above 0 and at most 10 (as devices allow), and
-- whole bucket numbers in range. Finite: NaN sorts above every number in both
-- engines, so `abs(x) <= largest double` is false for NaN and both infinities.
SELECT
  counted_for_gradient,
  counted_for_gradient AND COALESCE(
    sketch_epsilon > 0
    AND sketch_epsilon <= 10
    AND sketch_width = job.width
    AND {size}(filter(ones, b -> b IS NULL OR NOT (b >= 0 AND b < 1024 AND round(b) = b))) = 0,
    FALSE
  ) AS counted_for_priors,
  gradient,
  sketch_epsilon,
  ones
FROM (
  SELECT
    COALESCE(
      format = 'shelfwise-contribution'
      AND version = 1
      AND model = job.model_version
      AND {size}(gradient) = job.weight_count
      AND {size}(filter(gradient, x -> x IS NULL OR NOT abs(x) <= 1.7976931348623157E308)) = 0,
      FALSE
    ) AS counted_for_gradient,
    gradient,
    sketch_epsilon,
    sketch_width,
    ones
  FROM reports CROSS JOIN job
) AS checked CROSS JOIN job
