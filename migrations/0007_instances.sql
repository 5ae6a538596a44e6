-- Reserved for issue 16 shared rate limits, job runs, leadership.
SELECT 1;
