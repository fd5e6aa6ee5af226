export * from './rotating-jwt-secret';
export * from './least-privilege-lambda-policies';
export * from './least-privilege-checker';
export * from './jwt-authorizer';
export * from './security-audit-trail';
export * from './security-audit-trail-options';
export * from './security-notifications';
export * from './hardened-rest-api';
