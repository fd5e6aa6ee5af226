/**
 * One least-privilege finding: which rule, which statement, what is wrong.
 */
export interface LeastPrivilegeFinding {
  /**
   * The rule, for example `LeastPrivilege-WildcardResource`.
   */
  readonly ruleId: string;

  /**
   * The exact finding: `ruleId[detail]` (for example
   * `LeastPrivilege-WildcardResource[s3:GetObject]`), or `ruleId` when the rule has no detail.
   * This is the id to acknowledge with `Validations.of(construct).acknowledge(...)`.
   */
  readonly findingId: string;

  /**
   * Construct path of the resource holding the statement (a CfnManagedPolicy, CfnPolicy,
   * CfnRole, CfnUser or CfnGroup).
   */
  readonly constructPath: string;

  /**
   * The statement: `Sid <sid>`, or `Statement[<index>]` when it has no Sid (prefixed with the
   * inline policy name for roles, users and groups).
   */
  readonly statement: string;

  /**
   * What is wrong and what to do instead. When LeastPrivilegeLambdaPolicies has a typed
   * permission for what the statement grants, the message names it.
   */
  readonly message: string;

  /**
   * The LeastPrivilegeLambdaPolicies prop that grants what the statement grants (for example
   * `buckets` for the `s3:GetObject*` statement of `bucket.grantRead(fn)`), to use instead of
   * the grant*() call that wrote the statement.
   *
   * @default - no typed permission covers the statement
   */
  readonly typedPermission?: string;
}
