// The public (jsii) API, one block per construct family; each folder holds its construct(s),
// their props and option structs, and the private helpers only that family uses.
export * from './jwt-keys/rotating-jwt-secret';
export * from './jwt-keys/jwt-secret-replica-key';
export * from './least-privilege/least-privilege-lambda-policies';
export * from './least-privilege/least-privilege-checker';
export * from './least-privilege/least-privilege-finding';
export * from './authorizer/jwt-authorizer';
export * from './authorizer/jwt-authorizer-props';
export * from './authorizer/jwt-identity-provider';
export * from './audit-trail/security-audit-trail';
export * from './audit-trail/security-audit-trail-options';
export * from './audit-trail/account-security-events';
export * from './audit-trail/audit-archive-options';
export * from './audit-trail/security-audit-archive';
export * from './audit-trail/security-audit-alarms';
export * from './notifications/security-notifications';
export * from './rest-api/hardened-rest-api';
export * from './rest-api/api-gateway-cloudwatch-role';
export * from './bundled-function/bundled-function-options';
