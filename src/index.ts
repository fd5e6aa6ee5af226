export * from './rotating-jwt-secret';
export * from './least-privilege-lambda-policies';
export * from './least-privilege-checker';
export * from './jwt-authorizer';
export * from './security-audit-trail';
export * from './hardened-rest-api';
export * from './api-gateway-cloudwatch-role';
