/**
 * SecurityAuditTrail, deployed: the trail is logging, a digest file reaches the archive encrypted
 * with the trail's key, and a CIS-monitored call (a bucket policy change, CIS CloudWatch.8) turns
 * its metric filter's alarm to ALARM.
 *
 * The archive and access-log buckets hold delivered logs and are retained (README, Integration tests).
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SecurityAuditTrail } from '../../src';
import { destroyWithStack, integApp, integStack, integTest, probe, probeFunction } from './support/integ-stack';

const app = integApp();
const stack = integStack(app, 'IntegSecurityAuditTrail');
// Its own namespace, so that another trail's filters in the account cannot trip this test's alarm.
const trail = new SecurityAuditTrail(stack, 'AuditTrail', { metricNamespace: 'CdkSecurityBlocksInteg' });
const eventBucket = new s3.Bucket(stack, 'EventBucket', { enforceSSL: true, removalPolicy: RemovalPolicy.DESTROY });

const fn = probeFunction(stack, {
  ARCHIVE_BUCKET: trail.bucket.bucketName,
  TRAIL_KEY_ARN: trail.encryptionKey.keyArn,
  EVENT_BUCKET: eventBucket.bucketName,
});
trail.grantRead(fn);
fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutBucketPolicy'], resources: [eventBucket.bucketArn] }));
destroyWithStack(stack, ['AWS::S3::Bucket']);

const bucketPolicyAlarm = trail.node.findChild('CloudWatch.8').node.findChild('Alarm') as cloudwatch.Alarm;

const integ = integTest(app, 'SecurityAuditTrailTest', stack);
integ.assertions.awsApiCall('CloudTrail', 'getTrailStatus', { Name: trail.trailArn })
  .expect(ExpectedResult.objectLike({ IsLogging: true }))
  .next(probe(integ, fn, 'cisEvent'))
  // CloudTrail reaches CloudWatch Logs within about 5 minutes; the alarm evaluates 5-minute periods.
  .next(integ.assertions.awsApiCall('CloudWatch', 'describeAlarmHistory', { AlarmName: bucketPolicyAlarm.alarmName, HistoryItemType: 'StateUpdate' })
    .expect(ExpectedResult.objectLike({ AlarmHistoryItems: Match.arrayWith([Match.objectLike({ HistorySummary: Match.stringLikeRegexp('to ALARM') })]) }))
    .waitForAssertions({ totalTimeout: Duration.minutes(30), interval: Duration.minutes(1) }))
  // CloudTrail delivers the first digest file within about an hour of the trail's creation.
  .next(probe(integ, fn, 'archive')
    .expect(ExpectedResult.objectLike({ Payload: Match.serializedJson({ digestDelivered: true, digestEncryption: 'aws:kms', digestKeyIsTrailKey: true }) }))
    .waitForAssertions({ totalTimeout: Duration.minutes(55), interval: Duration.minutes(5) }));
