/**
 * The runtime of every bundled function: by default the newest Node.js runtime that the installed
 * aws-cdk-lib defines and the handlers are tested on; a pinned one when the user passes it; never one
 * outside the tested set.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { JwtAuthorizer } from '../../src/authorizer/jwt-authorizer';
import { BundledFunctionOptions } from '../../src/bundled-function/bundled-function-options';
import { newestTestedRuntime } from '../../src/bundled-function/bundled-function-runtime';
import { TESTED_NODE_MAJORS } from '../../src/bundled-function/tested-node-majors';
import { JwtSigningAlgorithm, RotatingJwtSecret } from '../../src/jwt-keys/rotating-jwt-secret';
import { HardenedRestApi } from '../../src/rest-api/hardened-rest-api';
import { testStack } from '../helpers/stack';
import { expectValidationError } from '../helpers/validation-error';

const RBAC = {
  issuer: 'https://issuer.example.com',
  audience: 'orders-api',
  rolePermissions: { user: ['orders:read'] },
  permissionMethods: { 'orders:read': ['GET /orders'] },
};

function attach(scope: Stack, authz: JwtAuthorizer): void {
  const api = new apigateway.RestApi(scope, 'Api', { cloudWatchRole: false });
  api.root.addResource('orders').addMethod('GET', new apigateway.MockIntegration(), { authorizer: authz.authorizer });
}

/** Each construct that creates bundled functions, and the prop that carries its BundledFunctionOptions. */
interface Owner {
  readonly name: string;
  /** The prop of type BundledFunctionOptions, as the ValidationError names it. */
  readonly prop: string;
  /** The construct path the ValidationError starts with. */
  readonly path: string;
  /** Every AWS::Lambda::Function in the stack with default props. */
  readonly functions: number;
  /** The logical id of the function `prop` places. */
  readonly placed: RegExp;
  build(stack: Stack, options?: BundledFunctionOptions): void;
}

const OWNERS: Owner[] = [
  {
    name: 'RotatingJwtSecret (HS256)',
    prop: 'rotationFunction',
    path: 'TestStack/Secret',
    functions: 1,
    placed: /^SecretRotationFunction/,
    build: (stack, options) => new RotatingJwtSecret(stack, 'Secret', { rotationFunction: options }),
  },
  {
    name: 'RotatingJwtSecret (ES256)',
    prop: 'rotationFunction',
    path: 'TestStack/Secret',
    functions: 1,
    placed: /^SecretRotationFunction/,
    build: (stack, options) => new RotatingJwtSecret(stack, 'Secret', { algorithm: JwtSigningAlgorithm.ES256, rotationFunction: options }),
  },
  {
    name: 'JwtAuthorizer (secret ring)',
    prop: 'functionOptions',
    path: 'TestStack/Authz',
    functions: 2,
    placed: /^AuthzFunction/,
    build: (stack, options) => attach(stack, new JwtAuthorizer(stack, 'Authz', { signingKeys: new RotatingJwtSecret(stack, 'Keys'), ...RBAC, functionOptions: options })),
  },
  {
    name: 'JwtAuthorizer (JWKS)',
    prop: 'functionOptions',
    path: 'TestStack/Authz',
    functions: 1,
    placed: /^AuthzFunction/,
    build: (stack, options) => attach(stack, new JwtAuthorizer(stack, 'Authz', {
      identityProvider: { jwksUrl: 'https://issuer.example.com/.well-known/jwks.json' }, ...RBAC, functionOptions: options,
    })),
  },
  {
    name: 'HardenedRestApi',
    prop: 'authorizerFunction',
    path: 'TestStack/Api',
    functions: 2,
    placed: /^ApiAuthorizerFunction/,
    build: (stack, options) => new HardenedRestApi(stack, 'Api', { signingKeys: new RotatingJwtSecret(stack, 'Keys'), ...RBAC, authorizerFunction: options })
      .addMethod('/orders', 'GET', new apigateway.MockIntegration()),
  },
];

/** Logical id → Runtime of every AWS::Lambda::Function in the stack. */
function runtimes(stack: Stack): Record<string, string> {
  const fns = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  return Object.fromEntries(Object.entries(fns).map(([id, fn]) => [id, fn.Properties.Runtime]));
}

function synth(owner: Owner, options?: BundledFunctionOptions): Record<string, string> {
  const stack = testStack();
  owner.build(stack, options);
  return runtimes(stack);
}

const node = (name: string) => new lambda.Runtime(name, lambda.RuntimeFamily.NODEJS);

describe('newestTestedRuntime', () => {
  test('the tested set is nodejs24.x and nodejs26.x, oldest first', () => {
    expect(TESTED_NODE_MAJORS).toEqual([24, 26]);
  });

  test('picks NODEJS_26_X when the Runtime class defines it', () => {
    const fake = { NODEJS_22_X: node('nodejs22.x'), NODEJS_24_X: node('nodejs24.x'), NODEJS_26_X: node('nodejs26.x') };
    expect(newestTestedRuntime(fake)).toBe(fake.NODEJS_26_X);
  });

  test('picks NODEJS_24_X when the Runtime class knows no newer tested runtime', () => {
    const fake = { NODEJS_22_X: node('nodejs22.x'), NODEJS_24_X: node('nodejs24.x') };
    expect(newestTestedRuntime(fake)).toBe(fake.NODEJS_24_X);
  });

  test('never picks a runtime newer than tested, even when the Runtime class defines one', () => {
    const fake = { NODEJS_24_X: node('nodejs24.x'), NODEJS_26_X: node('nodejs26.x'), NODEJS_28_X: node('nodejs28.x') };
    expect(newestTestedRuntime(fake)).toBe(fake.NODEJS_26_X);
  });

  test('skips a static that is not the Node.js runtime its name says', () => {
    const fake = { NODEJS_24_X: node('nodejs24.x'), NODEJS_26_X: new lambda.Runtime('nodejs26.x'), NODEJS_LATEST: node('nodejs26.x') };
    expect(newestTestedRuntime(fake)).toBe(fake.NODEJS_24_X);
    expect(newestTestedRuntime({ NODEJS_24_X: node('nodejs24.x'), NODEJS_26_X: node('nodejs24.x') }).name).toBe('nodejs24.x');
    expect(newestTestedRuntime({ NODEJS_24_X: node('nodejs24.x'), NODEJS_26_X: 'nodejs26.x' }).name).toBe('nodejs24.x');
  });

  test('fails when the Runtime class defines no tested runtime', () => {
    expect(() => newestTestedRuntime({ NODEJS_22_X: node('nodejs22.x') })).toThrow("aws-cdk-lib's lambda.Runtime defines none of NODEJS_24_X, NODEJS_26_X");
  });

  test('on the floor aws-cdk-lib (no NODEJS_26_X) it is lambda.Runtime.NODEJS_24_X', () => {
    // The devDependency is the floor; if it moves past 2.278.0 this file's floor expectations move with it.
    expect(lambda.Runtime).not.toHaveProperty('NODEJS_26_X');
    expect(newestTestedRuntime()).toBe(lambda.Runtime.NODEJS_24_X);
  });
});

describe.each(OWNERS)('$name', (owner) => {
  test('with default props, every Lambda function runs on nodejs24.x on the floor aws-cdk-lib', () => {
    const all = synth(owner);
    expect(Object.keys(all)).toHaveLength(owner.functions);
    expect(Object.values(all)).toEqual(Array(owner.functions).fill('nodejs24.x'));
  });

  test('with default props, every Lambda function follows an aws-cdk-lib that defines NODEJS_26_X', () => {
    const statics = lambda.Runtime as unknown as Record<string, unknown>;
    statics.NODEJS_26_X = node('nodejs26.x');
    try {
      expect(Object.values(synth(owner))).toEqual(Array(owner.functions).fill('nodejs26.x'));
    } finally {
      delete statics.NODEJS_26_X;
    }
  });

  test.each([
    ['a runtime this aws-cdk-lib lacks', () => node('nodejs26.x'), 'nodejs26.x'],
    ['lambda.Runtime.NODEJS_24_X', () => lambda.Runtime.NODEJS_24_X, 'nodejs24.x'],
  ])(`${owner.prop}.runtime pins %s on the function it places`, (_name, runtime, expected) => {
    const all = synth(owner, { runtime: runtime() });
    const placed = Object.keys(all).filter((id) => owner.placed.test(id));
    expect(placed).toHaveLength(1);
    expect(all[placed[0]]).toBe(expected);
    // Other bundled functions in the stack (the key ring's rotation) keep the default.
    for (const [id, value] of Object.entries(all)) if (id !== placed[0]) expect(value).toBe('nodejs24.x');
  });

  test.each([
    ['another family', () => lambda.Runtime.PYTHON_3_13, 'python3.13 (not of RuntimeFamily.NODEJS)'],
    ['a Node.js runtime without its family', () => new lambda.Runtime('nodejs24.x'), 'nodejs24.x (not of RuntimeFamily.NODEJS)'],
    ['a major older than tested', () => lambda.Runtime.NODEJS_22_X, 'nodejs22.x'],
    ['a major newer than tested', () => node('nodejs28.x'), 'nodejs28.x'],
  ])(`${owner.prop}.runtime refuses %s with a ValidationError naming the prop and the tested set`, (_name, runtime, got) => {
    expectValidationError(() => synth(owner, { runtime: runtime() }), {
      path: owner.path,
      prop: `${owner.prop}.runtime`,
      message: `must be one of nodejs24.x, nodejs26.x (the Node.js runtimes the bundled handlers are tested on), got ${got}`,
    });
  });
});
