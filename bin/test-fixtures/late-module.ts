// Imported by compiler-idle.ts once the loader's compiler has stopped.
export const answer = (n: number): number => n + 1;
