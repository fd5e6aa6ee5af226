/**
 * The trail's advanced event selectors: all management events plus the data events asked for.
 * Pure (ARNs in, L1 selectors out) so the selection logic is tested without a stack.
 */
import { CfnTrail, ReadWriteType } from 'aws-cdk-lib/aws-cloudtrail';

/** What to record, with every bucket and function already reduced to its ARN. */
export interface DataEventSelection {
  /** Bucket ARNs whose objects are recorded; empty with `allS3Buckets`. */
  readonly s3BucketArns: string[];
  readonly allS3Buckets: boolean;
  /** Bucket ARNs never recorded (the trail's own buckets: recording them is a feedback loop). */
  readonly ownBucketArns: string[];
  readonly lambdaFunctionArns: string[];
  readonly allLambdaFunctions: boolean;
  readonly readWriteType?: ReadWriteType;
}

export function advancedEventSelectors(data: DataEventSelection): CfnTrail.AdvancedEventSelectorProperty[] {
  const readOnly: CfnTrail.AdvancedFieldSelectorProperty[] =
    data.readWriteType === ReadWriteType.READ_ONLY ? [{ field: 'readOnly', equalTo: ['true'] }]
      : data.readWriteType === ReadWriteType.WRITE_ONLY ? [{ field: 'readOnly', equalTo: ['false'] }]
        : [];
  const selectors: CfnTrail.AdvancedEventSelectorProperty[] = [{
    name: 'All management events',
    fieldSelectors: [{ field: 'eventCategory', equalTo: ['Management'] }],
  }];
  if (data.allS3Buckets || data.s3BucketArns.length > 0) {
    const arns: CfnTrail.AdvancedFieldSelectorProperty = data.allS3Buckets
      ? { field: 'resources.ARN', notStartsWith: data.ownBucketArns.map((arn) => `${arn}/`) }
      : { field: 'resources.ARN', startsWith: data.s3BucketArns.map((arn) => `${arn}/`) };
    selectors.push({
      name: data.allS3Buckets ? 'S3 object events, except the trail buckets' : 'S3 object events of selected buckets',
      fieldSelectors: [
        { field: 'eventCategory', equalTo: ['Data'] },
        { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
        arns,
        ...readOnly,
      ],
    });
  }
  if (data.allLambdaFunctions || data.lambdaFunctionArns.length > 0) {
    selectors.push({
      name: data.allLambdaFunctions ? 'Lambda invocations' : 'Lambda invocations of selected functions',
      fieldSelectors: [
        { field: 'eventCategory', equalTo: ['Data'] },
        { field: 'resources.type', equalTo: ['AWS::Lambda::Function'] },
        ...(data.allLambdaFunctions ? [] : [{ field: 'resources.ARN', equalTo: data.lambdaFunctionArns }]),
        ...readOnly,
      ],
    });
  }
  return selectors;
}
