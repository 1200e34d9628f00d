// Prints the source of a function that makes a closure per call, as the request path does.
const handler = (id: number) => {
  const settle = (outcome: string) => `${id}:${outcome}`;
  return settle;
};
process.stdout.write(String(handler));
