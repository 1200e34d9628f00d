import { StringDecoder } from "node:string_decoder";
import { createParser, type EventSourceMessage } from "eventsource-parser";

// Decodes an SSE byte stream into events for observers. The bytes themselves are forwarded
// untouched by the caller; this only reads them.
export class SseDecoder {
  private readonly decoder = new StringDecoder("utf8");
  private readonly parser;

  constructor(onEvent: (event: EventSourceMessage) => void) {
    this.parser = createParser({ onEvent });
  }

  push(chunk: Buffer): void {
    this.parser.feed(this.decoder.write(chunk));
  }
}
