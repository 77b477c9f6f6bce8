/**
 * The change review: what a synthesis changes against a committed `dist/` (objects added, changed,
 * removed; fields of the changed ones) and a loud warning, with what to do, for every change Argo
 * CD cannot apply or that risks data. Used by `npm run synth` (against HEAD) and `npm run diff`.
 */
export * from './model';
export { fieldChanges } from './fields';
export { parseManifests, describe as describeObject } from './objects';
export { reviewEnvironment, hasBlocking } from './review';
export type { ReviewInput } from './review';
export { formatSummary, formatWarning, formatVerdict } from './report';
export type { ReportOptions } from './report';
export { reviewAgainstRevision } from './against-revision';
export type { RevisionReview, RevisionReviewInput } from './against-revision';
