-- Reserved for issue 14 write path and audit chain.
SELECT 1;
