/**
 * `kontract serve --app-interface DIR [--graphql-schema FILE] | --bundle FILE [--port P]`: a
 * qontract-server compatible GraphQL endpoint over the data (src/app-interface/server.ts lists the
 * endpoints). A directory is watched and reloaded on change. Runs until SIGINT/SIGTERM.
 */
import * as nodePath from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { readGraphqlSchemaFile } from '../../app-interface/bundle.js';
import { gitCommitOf } from '../../app-interface/git-commit.js';
import { startAppInterfaceServer } from '../../app-interface/server.js';
import type { ServeSource } from '../../app-interface/server.js';
import { ERROR_CODES, KontractError } from '../../core/errors.js';
import type { GlobalArgs, KontractCommand } from '../command.js';
import { str } from '../options.js';

export const SERVE_TOKEN_ENV = 'KONTRACT_SERVE_TOKEN';

export const serveCommand: KontractCommand = {
  command: 'serve',
  describe: 'Serve the app-interface over GraphQL like qontract-server (for --graphql-url clients)',
  builder: (y: Argv<GlobalArgs>) => y
    .option('app-interface', { type: 'string', describe: 'app-interface directory (watched, reloaded on change)' })
    .option('bundle', { type: 'string', describe: 'qontract-server bundle JSON ({data: {"<path>.yml": {...}}, graphql, resources})' })
    .option('port', { type: 'number', default: 4000, describe: 'TCP port (0 = any free port)' })
    .option('host', { type: 'string', default: '127.0.0.1', describe: 'Address to listen on' })
    .option('watch', { type: 'boolean', default: true, describe: 'Reload the directory on file change' })
    .option('graphql-schema', { type: 'string', describe: 'GraphQL schema for a directory, in qontract\'s format (qontract-schemas\' graphql-schemas/schema.yml; default: kontract\'s own). A bundle carries its own.' })
    .option('token-file', { type: 'string', describe: `Require this bearer token (default: env ${SERVE_TOKEN_ENV}; none = no auth)` })
    .example('$0 serve --app-interface app-interface-sample --port 4000', 'then: kontract validate --graphql-url http://127.0.0.1:4000/graphql'),
  async run(args, ctx) {
    const dir = str(args['app-interface']);
    const bundle = str(args.bundle);
    if ((dir === undefined) === (bundle === undefined)) throw new KontractError(ERROR_CODES.USAGE, 'exactly one of --app-interface DIR or --bundle FILE is required');
    const port = args.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw new KontractError(ERROR_CODES.USAGE, '--port must be an integer 0-65535');
    const source: ServeSource = dir !== undefined ? { kind: 'dir', path: nodePath.resolve(ctx.cwd, dir) } : { kind: 'bundle', file: nodePath.resolve(ctx.cwd, bundle ?? '') };
    const tokenFile = str(args['token-file']);
    let token = ctx.env[SERVE_TOKEN_ENV];
    if (tokenFile !== undefined) {
      try {
        token = (await readFile(nodePath.resolve(ctx.cwd, tokenFile), 'utf8')).trim();
      } catch (e) {
        throw new KontractError(ERROR_CODES.USAGE, `cannot read --token-file ${tokenFile}: ${(e as { code?: string }).code ?? 'error'}`);
      }
    }
    const graphqlArg = str(args['graphql-schema']);
    if (graphqlArg !== undefined && bundle !== undefined) throw new KontractError(ERROR_CODES.USAGE, '--graphql-schema is for --app-interface; a bundle carries its own GraphQL schema');
    const graphqlSchema = graphqlArg === undefined ? undefined : await readGraphqlSchemaFile(nodePath.resolve(ctx.cwd, graphqlArg));
    const server = await startAppInterfaceServer({
      source, port, gitCommit: gitCommitOf, ...(graphqlSchema === undefined ? {} : { graphqlSchema }), host: str(args.host) ?? '127.0.0.1', watch: args.watch !== false, reporter: ctx.reporter,
      ...(token === undefined || token === '' ? {} : { token }),
    });
    ctx.reporter.log('info', `serving the app-interface at ${server.url}/graphql`, { sha: server.sha(), auth: token !== undefined && token !== '' });
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      else ctx.signal.addEventListener('abort', () => { resolve(); }, { once: true });
    });
    await server.close();
    return { kind: 'ok' };
  },
};
