/**
 * The rotation handler's contract: the event, the configuration, the stable error codes and the
 * injected dependencies (SecretStore, Logger, JwksPublisher). Its own module so the steps, the
 * replica wait and the SDK adapter all depend on these types without depending on each other.
 */
import { KeyRingAlgorithm } from '../key-ring';
import { SuccessorFailureCode } from './successor';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = typeof ROTATION_STEPS[number];

export const GRACE_PERIOD_ENV = 'GRACE_PERIOD_SECONDS';
export const MAX_TOKEN_LIFETIME_ENV = 'MAX_TOKEN_LIFETIME_SECONDS';
/** HS256 (the default when unset), ES256 or EdDSA. */
export const KEY_ALGORITHM_ENV = 'KEY_ALGORITHM';

/** Stable reason codes: alarms, runbooks and tests match on these, never on messages. */
export type RotationErrorCode =
  | 'INVALID_EVENT'
  | 'INVALID_CONFIG'
  | 'ROTATION_NOT_ENABLED'
  | 'UNKNOWN_VERSION'
  | 'VERSION_NOT_PENDING'
  | 'CURRENT_MISSING'
  | 'CURRENT_MALFORMED'
  | 'PENDING_MISSING'
  | 'REPLICA_FAILED'
  | 'REPLICAS_NOT_IN_SYNC'
  | SuccessorFailureCode;

export class RotationError extends Error {
  constructor(readonly code: RotationErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'RotationError';
  }
}

export interface RotationEvent {
  readonly SecretId: string;
  readonly ClientRequestToken: string;
  readonly Step: RotationStep;
}

export interface SecretDescription {
  /** False as well when DescribeSecret omits RotationEnabled. */
  readonly rotationEnabled: boolean;
  readonly versionIdsToStages: Readonly<Record<string, readonly string[]>>;
  /** One entry per replica Region; `status` as Secrets Manager reports it (InSync, InProgress, Failed). */
  readonly replicas?: ReadonlyArray<{ readonly region: string; readonly status: string }>;
}

export interface SecretVersionValue {
  readonly versionId: string;
  /** Undefined when the version holds SecretBinary only. */
  readonly secretString?: string;
}

/** Selects a version by id, by staging label, or by both (then the two must agree). */
export interface VersionSelector {
  readonly versionId?: string;
  readonly versionStage?: string;
}

export interface StageMove {
  readonly versionStage: string;
  readonly moveToVersionId?: string;
  readonly removeFromVersionId?: string;
}

/** The four Secrets Manager calls rotation needs. */
export interface SecretStore {
  describeSecret(secretId: string): Promise<SecretDescription>;
  /** Undefined when the version does not exist or has no value yet (ResourceNotFoundException). */
  getSecretValue(secretId: string, selector: VersionSelector): Promise<SecretVersionValue | undefined>;
  putSecretValue(secretId: string, clientRequestToken: string, secretString: string, versionStages: readonly string[]): Promise<void>;
  updateSecretVersionStage(secretId: string, move: StageMove): Promise<void>;
}

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** One JSON object per line, so CloudWatch Logs Insights can filter on `code`, `step`, ... */
export const jsonLogger: Logger = {
  info: (message, fields) => console.log(JSON.stringify({ level: 'INFO', message, ...fields })),
  error: (message, fields) => console.error(JSON.stringify({ level: 'ERROR', message, ...fields })),
};

export interface RotationConfig {
  readonly gracePeriodSeconds: number;
  readonly maxTokenLifetimeSeconds: number;
  /** Unset: HS256, the only algorithm before the choice existed. */
  readonly algorithm?: KeyRingAlgorithm;
}

/**
 * Where an asymmetric ring's public keys go: one JWKS document, overwritten whole. Every write
 * holds the keys of the ring about to go live, which include every key the live ring accepts,
 * so concurrent or repeated writes of one rotation are the same document.
 */
export interface JwksPublisher {
  publish(jwksJson: string): Promise<void>;
}

export interface RotationDeps {
  readonly store: SecretStore;
  readonly now: () => Date;
  readonly logger: Logger;
  /** Required for ES256 and EdDSA rings. */
  readonly jwks?: JwksPublisher;
  /** Waits between replica status checks; a real timer by default. */
  readonly sleep?: (ms: number) => Promise<void>;
}


/** What every step receives: the parsed event, the configuration and the injected dependencies. */
export interface StepContext {
  readonly event: RotationEvent;
  readonly config: RotationConfig;
  readonly deps: RotationDeps;
}
