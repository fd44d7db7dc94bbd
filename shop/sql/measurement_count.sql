-- How many measurement reports (non-empty lines) there are.
SELECT COUNT(*) AS reports FROM measurement_reports
