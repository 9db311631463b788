/**
 * `kontract bundle --app-interface DIR [--schemas DIR]... [--graphql-schema FILE] [--output FILE]`:
 * writes a qontract-server bundle of the directory (what qontract-bundler writes: datafiles with
 * `$file_sha256sum`, resources, the JSON Schemas, the GraphQL schema and the git commit), after
 * the same validation as `kontract validate`. kontract's own schemas are always added for the
 * kinds the given directories lack. Load it with `kontract serve --bundle FILE` or
 * qontract-server (`LOAD_METHOD=fs DATAFILES_FILE=FILE`).
 */
import * as nodePath from 'node:path';
import { writeFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { makeBundle, readGraphqlSchemaFile, readSchemasDir } from '../../app-interface/bundle.js';
import { gitCommitOf } from '../../app-interface/git-commit.js';
import { SCHEMAS_DIR } from '../../app-interface/schema-registry.js';
import { readDirSnapshot } from '../../app-interface/snapshot.js';
import { validateSnapshot } from '../../app-interface/validate.js';
import { ERROR_CODES, KontractError, errorMessage } from '../../core/errors.js';
import type { GlobalArgs, KontractCommand } from '../command.js';
import { str, strs } from '../options.js';

export const bundleCommand: KontractCommand = {
  command: 'bundle',
  describe: 'Write a qontract-server bundle (JSON) of an app-interface directory',
  builder: (y: Argv<GlobalArgs>) => y
    .option('app-interface', { type: 'string', describe: 'app-interface directory', demandOption: true })
    .option('schemas', { type: 'string', array: true, describe: 'JSON Schema directories to include, first wins (e.g. qontract-schemas\' schemas/); kontract\'s schemas/ fill in the rest' })
    .option('graphql-schema', { type: 'string', describe: 'GraphQL schema in qontract\'s format (qontract-schemas\' graphql-schemas/schema.yml; default: kontract\'s own)' })
    .option('git-commit', { type: 'string', describe: 'commit recorded in the bundle (default: the directory\'s git HEAD)' })
    .option('git-commit-timestamp', { type: 'string', describe: 'its time in seconds since the epoch (default: from git)' })
    .option('output', { alias: 'o', type: 'string', describe: 'file to write (default: stdout)' })
    .example('$0 bundle --app-interface app-interface-sample -o bundle.json', 'then: kontract serve --bundle bundle.json'),
  async run(args, ctx) {
    const dir = nodePath.resolve(ctx.cwd, str(args['app-interface']) ?? '');
    const snapshot = await readDirSnapshot(dir);
    validateSnapshot(snapshot);
    const graphqlArg = str(args['graphql-schema']);
    const schemas: Record<string, unknown> = {};
    const dirs = strs(args.schemas);
    for (const d of dirs) await readSchemasDir(nodePath.resolve(ctx.cwd, d), schemas);
    const given = new Set(Object.keys(schemas));
    await readSchemasDir(SCHEMAS_DIR, schemas);
    const graphql = graphqlArg === undefined ? undefined : await readGraphqlSchemaFile(nodePath.resolve(ctx.cwd, graphqlArg));
    const git = await gitCommitOf(dir);
    const bundle = makeBundle(snapshot, {
      schemas, ...(dirs.length === 0 ? {} : { knownSchemas: given }),
      gitCommit: str(args['git-commit']) ?? git.commit,
      gitCommitTimestamp: str(args['git-commit-timestamp']) ?? git.timestamp,
      ...(graphql === undefined ? {} : { graphql }),
    });
    const text = `${JSON.stringify(bundle)}\n`;
    const out = str(args.output);
    if (out === undefined) {
      ctx.reporter.result(text.trimEnd());
    } else {
      try {
        await writeFile(nodePath.resolve(ctx.cwd, out), text);
      } catch (e) {
        throw new KontractError(ERROR_CODES.USAGE, `cannot write ${out}: ${errorMessage(e)}`);
      }
      ctx.reporter.log('info', `bundle written to ${out}`, { datafiles: Object.keys(bundle.data).length, resources: Object.keys(bundle.resources).length });
    }
    return { kind: 'ok' };
  },
};
