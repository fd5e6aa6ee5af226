/**
 * The Node signing helper for issuers, shipped as `cdk-security-blocks/assets/issuer` (a
 * bundled CommonJS module outside the jsii API: jsii cannot express a Node-only helper).
 */
export { issueToken, KeyRingError } from '../jwt/issue-token';
export type { IssueTokenOptions } from '../jwt/issue-token';
