// Firestore bills per document read and written; the adapter counts both so that the benchmark can
// show what a sync costs. A query that returns nothing is still billed one read.
export class FirestoreMeter {
  reads = 0;
  writes = 0;

  read(docs: number): void {
    this.reads += Math.max(1, docs);
  }

  wrote(docs: number): void {
    this.writes += docs;
  }

  reset(): void {
    this.reads = 0;
    this.writes = 0;
  }
}
