/**
 * Key policy statements every key the library creates must hold, as the template shows them.
 */

/** CT.KMS.PR.3: grants only for AWS resources, or by AWS service principals. */
export const DENY_GRANTS_NOT_FOR_AWS_SERVICES = {
  Sid: 'DenyGrantsNotForAwsServices',
  Effect: 'Deny',
  Principal: { AWS: '*' },
  Action: 'kms:CreateGrant',
  Resource: '*',
  Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
};
