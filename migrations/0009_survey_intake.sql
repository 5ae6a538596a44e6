-- Reserved for issue 19 survey intake (source names, root ids, grids, multiple choice).
SELECT 1;
