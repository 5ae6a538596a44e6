-- Reserved for issue 15 first day (forced password change etc.).
SELECT 1;
