/**
 * The CloudWatch log metric filters of the CIS AWS Foundations Benchmark v5.0.0, section 4
 * (recommendations 4.1 to 4.15), as published; Security Hub has no CloudWatch controls for v5.
 *
 * The benchmark PDF sits behind a CIS registration, so the patterns come from two public
 * transcriptions of its remediation text (test/audit-trail/data/cis-v5-metric-filters.json names them and
 * a test compares every pattern byte for byte):
 * - turbot/steampipe-mod-aws-compliance cis_v500/docs (keeps the benchmark's quotes): 4.1, 4.4,
 *   4.6, 4.7, 4.9, 4.10, 4.12, 4.13;
 * - prowler-cloud/prowler compliance/aws/cis_5.0_aws.json (drops double quotes): the others.
 *   Where the dropped quotes surrounded plain words (4.2, 4.3, 4.15) the unquoted value matches
 *   the same events in CloudWatch Logs filter syntax.
 *
 * What changed from v1.4 / Security Hub: 4.1 excludes S3 log delivery and HeadBucket, joined
 * with `&&` (the v1.3-v1.5 text joined them with `||`, which matched almost every event); 4.2 is
 * the plain no-MFA pattern (Security Hub's CloudWatch.3 form is v5's SSO alternative); 4.10 adds
 * ModifySecurityGroupRules. Do not reformat the strings.
 */
import type { CisControl } from './cis-control';

export const CIS_V5_CONTROLS: ReadonlyArray<CisControl> = [
  {
    id: 'CIS.4.1',
    pattern: '{ ($.errorCode ="*UnauthorizedOperation") || ($.errorCode ="AccessDenied*") && ($.sourceIPAddress!="delivery.logs.amazonaws.com") && ($.eventName!="HeadBucket") }',
    metricName: 'UnauthorizedAPICalls',
    title: 'unauthorized API calls',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.1',
  },
  {
    id: 'CIS.4.2',
    pattern: '{ ($.eventName = ConsoleLogin) && ($.additionalEventData.MFAUsed != Yes) }',
    metricName: 'ConsoleSignInWithoutMFA',
    title: 'a console sign-in without MFA',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.2',
  },
  {
    id: 'CIS.4.3',
    pattern: '{ $.userIdentity.type = Root && $.userIdentity.invokedBy NOT EXISTS && $.eventType != AwsServiceEvent }',
    metricName: 'RootAccountUsage',
    title: 'the root user was used',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.3',
  },
  {
    id: 'CIS.4.4',
    pattern: '{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}',
    metricName: 'IAMPolicyChanges',
    title: 'IAM policy changes',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.4',
  },
  {
    id: 'CIS.4.5',
    pattern: '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }',
    metricName: 'CloudTrailConfigChanges',
    title: 'CloudTrail configuration changes',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.5',
  },
  {
    id: 'CIS.4.6',
    pattern: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
    metricName: 'ConsoleSignInFailures',
    title: 'console authentication failures',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.6',
  },
  {
    id: 'CIS.4.7',
    pattern: '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }',
    metricName: 'DisableOrDeleteCMK',
    title: 'customer managed keys disabled or scheduled for deletion',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.7',
  },
  {
    id: 'CIS.4.8',
    pattern: '{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }',
    metricName: 'S3BucketPolicyChanges',
    title: 'S3 bucket policy changes',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.8',
  },
  {
    id: 'CIS.4.9',
    pattern: '{ ($.eventSource = config.amazonaws.com) && (($.eventName=StopConfigurationRecorder)||($.eventName=DeleteDeliveryChannel)||($.eventName=PutDeliveryChannel)||($.eventName=PutConfigurationRecorder)) }',
    metricName: 'AWSConfigChanges',
    title: 'AWS Config configuration changes',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.9',
  },
  {
    id: 'CIS.4.10',
    pattern: '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) || ($.eventName = ModifySecurityGroupRules) }',
    metricName: 'SecurityGroupChanges',
    title: 'security group changes',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.10',
  },
  {
    id: 'CIS.4.11',
    pattern: '{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }',
    metricName: 'NACLChanges',
    title: 'network ACL changes',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.11',
  },
  {
    id: 'CIS.4.12',
    pattern: '{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }',
    metricName: 'NetworkGatewayChanges',
    title: 'network gateway changes',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.12',
  },
  {
    id: 'CIS.4.13',
    pattern: '{ ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }',
    metricName: 'RouteTableChanges',
    title: 'route table changes',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.13',
  },
  {
    id: 'CIS.4.14',
    pattern: '{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }',
    metricName: 'VPCChanges',
    title: 'VPC changes',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.14',
  },
  {
    id: 'CIS.4.15',
    pattern: '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = AcceptHandshake) || ($.eventName = AttachPolicy) || ($.eventName = CreateAccount) || ($.eventName = CreateOrganizationalUnit) || ($.eventName = CreatePolicy) || ($.eventName = DeclineHandshake) || ($.eventName = DeleteOrganization) || ($.eventName = DeleteOrganizationalUnit) || ($.eventName = DeletePolicy) || ($.eventName = DetachPolicy) || ($.eventName = DisablePolicyType) || ($.eventName = EnablePolicyType) || ($.eventName = InviteAccountToOrganization) || ($.eventName = LeaveOrganization) || ($.eventName = MoveAccount) || ($.eventName = RemoveAccountFromOrganization) || ($.eventName = UpdatePolicy) || ($.eventName = UpdateOrganizationalUnit)) }',
    metricName: 'OrganizationsChanges',
    title: 'AWS Organizations changes',
    reference: 'CIS AWS Foundations Benchmark v5.0.0 4.15',
  },
];
