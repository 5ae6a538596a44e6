-- Reserved for issue 13 rounds by year, cancellation, council members/minutes/decision, unit lineage and name history.
SELECT 1;
