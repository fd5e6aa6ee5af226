export * from './rotating-jwt-secret';
