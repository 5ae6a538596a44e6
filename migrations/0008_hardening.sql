-- Reserved for issue 18 resilience and security.
SELECT 1;
