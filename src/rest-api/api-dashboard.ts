/**
 * One CloudWatch dashboard per API for the person on call: traffic, errors and latency, what
 * the WAF allowed and blocked (per rule), and why the authorizer denied requests (per event type).
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct, IConstruct } from 'constructs';
import { AUTHORIZER_EVENT_TYPES } from '../authorizer/authorizer-event-types';
import { authorizerSecurityEventsOf } from '../authorizer/authorizer-security-events';

/** What the dashboard reads from the API construct (HardenedRestApi). */
export interface DashboardSource extends IConstruct {
  readonly restApi: apigateway.RestApi;
  readonly webAcl: wafv2.CfnWebACL;
  readonly jwtAuthorizer?: IConstruct;
}

const PERIOD = Duration.minutes(5);

export function createApiDashboard(api: DashboardSource & Construct): cloudwatch.Dashboard {
  const stage = api.restApi.deploymentStage;
  const dashboard = new cloudwatch.Dashboard(api, 'Dashboard', {
    defaultInterval: Duration.hours(3),
  });
  const sum = { statistic: 'Sum', period: PERIOD };
  dashboard.addWidgets(
    new cloudwatch.TextWidget({ markdown: `# ${api.node.path}\nRequests, errors, latency, WAF decisions and authorizer denials.`, width: 24, height: 2 }),
  );
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: 'Requests', left: [stage.metricCount(sum)], width: 8 }),
    new cloudwatch.GraphWidget({ title: '4XX and 5XX responses', left: [stage.metricClientError(sum), stage.metricServerError(sum)], width: 8 }),
    new cloudwatch.GraphWidget({
      title: 'Latency (ms)',
      left: ['p50', 'p90', 'p99'].map((statistic) => stage.metricLatency({ statistic, period: PERIOD, label: statistic })),
      width: 8,
    }),
  );
  const waf = (metricName: string, rule: string, label: string) => new cloudwatch.Metric({
    namespace: 'AWS/WAFV2',
    metricName,
    dimensionsMap: { WebACL: api.webAcl.name!, Region: Stack.of(api).region, Rule: rule },
    label,
    ...sum,
  });
  const rules = Token.isUnresolved(api.webAcl.rules) ? [] : (api.webAcl.rules as wafv2.CfnWebACL.RuleProperty[] | undefined) ?? [];
  const ruleMetricNames = rules.map((r) => (r.visibilityConfig as wafv2.CfnWebACL.VisibilityConfigProperty).metricName);
  dashboard.addWidgets(
    new cloudwatch.GraphWidget({ title: 'WAF allowed and blocked', left: [waf('AllowedRequests', 'ALL', 'allowed'), waf('BlockedRequests', 'ALL', 'blocked')], width: 12 }),
    new cloudwatch.GraphWidget({
      title: 'WAF blocked by rule',
      left: ruleMetricNames.map((name) => waf('BlockedRequests', name, name)),
      stacked: true,
      width: 12,
    }),
  );
  const events = api.jwtAuthorizer ? authorizerSecurityEventsOf(api.jwtAuthorizer) : undefined;
  if (events) {
    dashboard.addWidgets(new cloudwatch.GraphWidget({
      title: 'Authorizer denials by type (severity)',
      left: AUTHORIZER_EVENT_TYPES.map((t) => events.metrics.get(t.metricName)!.with({ label: `${t.metricName} (${t.severity})` })),
      stacked: true,
      width: 24,
    }));
  }
  return dashboard;
}
