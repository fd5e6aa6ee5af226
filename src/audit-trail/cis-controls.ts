import { CisControl, ResolvedCisControl } from './cis-control';
import { CIS_V5_CONTROLS } from './cis-v5-controls';
import { CisProfile } from './security-audit-trail-options';

/**
 * The CloudWatch log metric filters that AWS Security Hub checks (controls CloudWatch.1 to
 * CloudWatch.14), plus the AWS Organizations changes filter of the CIS benchmark.
 *
 * Source of the CloudWatch.1-14 patterns: AWS Security Hub User Guide, "Amazon CloudWatch
 * controls" (doc_source/cloudwatch-controls.md in the awsdocs/aws-security-hub-user-guide
 * repository, commit bda5bf7ddbdf498557b2ac6a538577528004e6d5). Security Hub fails a control
 * unless the metric filter pattern is exactly this text, so the strings are byte-exact copies:
 * do not reformat them (spacing and quoting differ from control to control on purpose).
 *
 * Source of the Organizations pattern (id `CIS.4.15`): CIS Amazon Web Services Foundations
 * Benchmark v1.4.0 / v3.0.0, recommendation 4.15 "Ensure AWS Organizations changes are
 * monitored". Security Hub has no control for it.
 */

/** Namespace the CIS benchmark and Security Hub remediation use for these metrics. */
export const CIS_METRIC_NAMESPACE = 'LogMetrics';
/** Every filter publishes this value per matching event. */
export const CIS_METRIC_VALUE = '1';

export const CIS_CONTROLS: ReadonlyArray<CisControl> = [
  {
    id: 'CloudWatch.1',
    pattern: '{$.userIdentity.type="Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType !="AwsServiceEvent"}',
    metricName: 'RootAccountUsage',
    title: 'the root user was used',
  },
  {
    id: 'CloudWatch.2',
    pattern: '{($.errorCode="*UnauthorizedOperation") || ($.errorCode="AccessDenied*")}',
    metricName: 'UnauthorizedAPICalls',
    title: 'unauthorized API calls',
  },
  {
    id: 'CloudWatch.3',
    pattern: '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
    metricName: 'ConsoleSignInWithoutMFA',
    title: 'a console sign-in without MFA',
  },
  {
    id: 'CloudWatch.4',
    pattern: '{($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy)}',
    metricName: 'IAMPolicyChanges',
    title: 'IAM policy changes',
  },
  {
    id: 'CloudWatch.5',
    pattern: '{($.eventName=CreateTrail) || ($.eventName=UpdateTrail) || ($.eventName=DeleteTrail) || ($.eventName=StartLogging) || ($.eventName=StopLogging)}',
    metricName: 'CloudTrailConfigChanges',
    title: 'CloudTrail configuration changes',
  },
  {
    id: 'CloudWatch.6',
    pattern: '{($.eventName=ConsoleLogin) && ($.errorMessage="Failed authentication")}',
    metricName: 'ConsoleSignInFailures',
    title: 'console authentication failures',
  },
  {
    id: 'CloudWatch.7',
    pattern: '{($.eventSource=kms.amazonaws.com) && (($.eventName=DisableKey) || ($.eventName=ScheduleKeyDeletion))}',
    metricName: 'DisableOrDeleteCMK',
    title: 'customer managed keys disabled or scheduled for deletion',
  },
  {
    id: 'CloudWatch.8',
    pattern: '{($.eventSource=s3.amazonaws.com) && (($.eventName=PutBucketAcl) || ($.eventName=PutBucketPolicy) || ($.eventName=PutBucketCors) || ($.eventName=PutBucketLifecycle) || ($.eventName=PutBucketReplication) || ($.eventName=DeleteBucketPolicy) || ($.eventName=DeleteBucketCors) || ($.eventName=DeleteBucketLifecycle) || ($.eventName=DeleteBucketReplication))}',
    metricName: 'S3BucketPolicyChanges',
    title: 'S3 bucket policy changes',
  },
  {
    id: 'CloudWatch.9',
    pattern: '{($.eventSource=config.amazonaws.com) && (($.eventName=StopConfigurationRecorder) || ($.eventName=DeleteDeliveryChannel) || ($.eventName=PutDeliveryChannel) || ($.eventName=PutConfigurationRecorder))}',
    metricName: 'AWSConfigChanges',
    title: 'AWS Config configuration changes',
  },
  {
    id: 'CloudWatch.10',
    pattern: '{($.eventName=AuthorizeSecurityGroupIngress) || ($.eventName=AuthorizeSecurityGroupEgress) || ($.eventName=RevokeSecurityGroupIngress) || ($.eventName=RevokeSecurityGroupEgress) || ($.eventName=CreateSecurityGroup) || ($.eventName=DeleteSecurityGroup)}',
    metricName: 'SecurityGroupChanges',
    title: 'security group changes',
  },
  {
    id: 'CloudWatch.11',
    pattern: '{($.eventName=CreateNetworkAcl) || ($.eventName=CreateNetworkAclEntry) || ($.eventName=DeleteNetworkAcl) || ($.eventName=DeleteNetworkAclEntry) || ($.eventName=ReplaceNetworkAclEntry) || ($.eventName=ReplaceNetworkAclAssociation)}',
    metricName: 'NACLChanges',
    title: 'network ACL changes',
  },
  {
    id: 'CloudWatch.12',
    pattern: '{($.eventName=CreateCustomerGateway) || ($.eventName=DeleteCustomerGateway) || ($.eventName=AttachInternetGateway) || ($.eventName=CreateInternetGateway) || ($.eventName=DeleteInternetGateway) || ($.eventName=DetachInternetGateway)}',
    metricName: 'NetworkGatewayChanges',
    title: 'network gateway changes',
  },
  {
    id: 'CloudWatch.13',
    pattern: '{($.eventName=CreateRoute) || ($.eventName=CreateRouteTable) || ($.eventName=ReplaceRoute) || ($.eventName=ReplaceRouteTableAssociation) || ($.eventName=DeleteRouteTable) || ($.eventName=DeleteRoute) || ($.eventName=DisassociateRouteTable)}',
    metricName: 'RouteTableChanges',
    title: 'route table changes',
  },
  {
    id: 'CloudWatch.14',
    pattern: '{($.eventName=CreateVpc) || ($.eventName=DeleteVpc) || ($.eventName=ModifyVpcAttribute) || ($.eventName=AcceptVpcPeeringConnection) || ($.eventName=CreateVpcPeeringConnection) || ($.eventName=DeleteVpcPeeringConnection) || ($.eventName=RejectVpcPeeringConnection) || ($.eventName=AttachClassicLinkVpc) || ($.eventName=DetachClassicLinkVpc) || ($.eventName=DisableVpcClassicLink) || ($.eventName=EnableVpcClassicLink)}',
    metricName: 'VPCChanges',
    title: 'VPC changes',
  },
  {
    // CIS AWS Foundations Benchmark v1.4.0 / v3.0.0, recommendation 4.15.
    id: 'CIS.4.15',
    pattern: '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
    metricName: 'OrganizationsChanges',
    title: 'AWS Organizations changes',
  },
];

/** The controls of a profile, in order, each with the reference its alarm description names. */
export function cisControls(profile: CisProfile): ReadonlyArray<ResolvedCisControl> {
  switch (profile) {
    case CisProfile.SECURITY_HUB:
      return CIS_CONTROLS.map((c) => ({ ...c, reference: c.reference ?? `CIS / Security Hub ${c.id}` }));
    case CisProfile.CIS_V5:
      return CIS_V5_CONTROLS.map((c) => ({ ...c, reference: c.reference ?? `CIS v5.0.0 ${c.id}` }));
    default:
      throw new Error(`unknown CIS profile '${profile}'`);
  }
}
