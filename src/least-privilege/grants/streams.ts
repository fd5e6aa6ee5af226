import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import { StatementSink, viaService } from './statement-sink';

/**
 * PutRecord and PutRecords on the stream's exact ARN; for a stream encrypted with a customer
 * managed key, kms:GenerateDataKey through Kinesis for this stream only (Kinesis passes the
 * stream ARN as `aws:kinesis:arn` encryption context).
 */
export function grantStreamPut(sink: StatementSink, stream: kinesis.IStream, prop: string, i: number): void {
  sink.place(new iam.PolicyStatement({
    sid: `PutRecordsToStream${i}`, actions: ['kinesis:PutRecord', 'kinesis:PutRecords'], resources: [stream.streamArn],
  }), prop);
  if (stream.encryptionKey) {
    sink.place(new iam.PolicyStatement({
      sid: `UseStream${i}Key`,
      actions: ['kms:GenerateDataKey'],
      resources: [stream.encryptionKey.keyArn],
      conditions: { StringEquals: { ...viaService(sink.scope, 'kinesis'), 'kms:EncryptionContext:aws:kinesis:arn': stream.streamArn } },
    }), prop);
  }
}

/** PutRecord and PutRecordBatch on the delivery stream's exact ARN (Firehose encrypts with its own grant). */
export function grantDeliveryStreamPut(sink: StatementSink, deliveryStream: firehose.IDeliveryStream, prop: string, i: number): void {
  sink.place(new iam.PolicyStatement({
    sid: `PutRecordsToDeliveryStream${i}`,
    actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
    resources: [deliveryStream.deliveryStreamArn],
  }), prop);
}
