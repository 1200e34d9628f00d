// Imported by compiled-name.ts by the name of its compiled file, as the sources import each other.
export const answer = (n: number): number => n + 1;
