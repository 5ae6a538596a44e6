-- Reserved for issue 13 settlement: round members, not-submitted marks, per-unit appraisers, council decisions, objections.
SELECT 1;
