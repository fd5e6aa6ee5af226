/**
 * The Node.js majors the shipped handlers are tested on, oldest first: the bundled functions may
 * run on these and no other. One list drives the default and the allowed runtimes of every bundled
 * function, the esbuild target (the oldest) and the `test:node<major>` CI steps (.projenrc.ts), so a
 * major is offered to users only once its handler tests run on it. Free of aws-cdk-lib: the build
 * tools and .projenrc.ts import it.
 */
export const TESTED_NODE_MAJORS: readonly number[] = [24, 26];

/** The Lambda runtime name of a Node.js major: 24 → `nodejs24.x`. */
export function nodeRuntimeName(major: number): string {
  return `nodejs${major}.x`;
}
