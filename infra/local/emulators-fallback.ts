// Firestore without the Google Cloud SDK: the npm package @firestore-emulator/server, an in-process
// gRPC server. It serves simple reads, writes and queries, but loses concurrent transaction updates.
// It is an optional dependency of the tests, so it is loaded only when this path is taken.
import { createRequire } from 'node:module';

export const FALLBACK_PACKAGE = '@firestore-emulator/server';
const TESTED_VERSION = '0.3.15';

interface GrpcServerLike {
  bindAsync(
    address: string,
    credentials: unknown,
    callback: (error: Error | null, port: number) => void,
  ): void;
  forceShutdown(): void;
}
// The package's in-memory state, walked directly: it serves neither ListCollectionIds nor
// ListDocuments, so tests that list or clear a project cannot go through the API.
interface StateDocument {
  metadata: { hasExist: boolean; updatedAt?: Date };
  collections: Record<string, StateCollection>;
}
interface StateCollection {
  documents: Record<string, StateDocument>;
}
interface FallbackState {
  projects: Record<string, { databases: Record<string, { collections: Record<string, StateCollection> }> }>;
}
interface FallbackModule {
  FirestoreServer?: new () => { server?: GrpcServerLike; state?: FallbackState };
}

/** What tests can see of the fallback's data without the API calls it lacks. */
export interface FallbackInspector {
  /** Every existing document of the project's default database: path below documents/ -> update time. */
  documents(projectId: string): Map<string, Date>;
  /** Forgets the project and everything in it. */
  clear(projectId: string): void;
}

function inspector(state: FallbackState): FallbackInspector {
  const walk = (collections: Record<string, StateCollection>, prefix: string, out: Map<string, Date>) => {
    for (const [cid, collection] of Object.entries(collections))
      for (const [did, doc] of Object.entries(collection.documents)) {
        const path = `${prefix}${cid}/${did}`;
        if (doc.metadata.hasExist) out.set(path, doc.metadata.updatedAt ?? new Date(0));
        walk(doc.collections, `${path}/`, out);
      }
  };
  return {
    documents(projectId) {
      const out = new Map<string, Date>();
      const db = state.projects[projectId]?.databases['(default)'];
      if (db) walk(db.collections, '', out);
      return out;
    },
    clear(projectId) {
      // The package replaces its maps immutably (immer), so replacing this one is its own way too.
      const { [projectId]: _gone, ...rest } = state.projects;
      state.projects = rest;
    },
  };
}
interface GrpcModule {
  ServerCredentials: { createInsecure(): unknown };
}

export async function startFallbackFirestore(
  port: number,
): Promise<{ port: number; stop(): void; inspect: FallbackInspector }> {
  let entry: string;
  try {
    // createRequire resolves under every loader (tsx inside mocha has no import.meta.resolve).
    entry = createRequire(import.meta.url).resolve(FALLBACK_PACKAGE);
  } catch {
    throw new Error(
      `No Firestore emulator available: the Google Cloud SDK emulator cannot run here and the fallback ` +
        `npm package ${FALLBACK_PACKAGE} is not installed. Install the Cloud SDK with the ` +
        `cloud-firestore-emulator component and a Java 11+ JRE, or add ${FALLBACK_PACKAGE}@${TESTED_VERSION} ` +
        `to devDependencies.`,
    );
  }
  // A variable specifier keeps TypeScript from requiring the package at compile time.
  const specifier = FALLBACK_PACKAGE;
  const mod = (await import(specifier)) as FallbackModule;
  const server = mod.FirestoreServer ? new mod.FirestoreServer() : undefined;
  // FirestoreServer.start() binds 0.0.0.0; we bind its gRPC server ourselves to stay on loopback.
  // That needs the grpc-js copy the package itself uses (bindAsync checks instanceof).
  const grpcServer = server?.server;
  const state = server?.state;
  if (!grpcServer || typeof grpcServer.bindAsync !== 'function' || !state?.projects) {
    throw new Error(
      `${FALLBACK_PACKAGE} does not expose the gRPC server and state this harness needs ` +
        `(tested with ${TESTED_VERSION}); refusing to let it bind 0.0.0.0`,
    );
  }
  const grpc = createRequire(entry)('@grpc/grpc-js') as GrpcModule;
  const bound = await new Promise<number>((resolve, reject) =>
    grpcServer.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  return { port: bound, stop: () => grpcServer.forceShutdown(), inspect: inspector(state) };
}
