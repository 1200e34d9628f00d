import { describe, expect, it } from "vitest";
import type { StreamObserver, Usage } from "../protocol.js";
import { CHUNK_SIZES, observed, pushInChunks } from "../stream.fixture.js";
import { ChatStreamObserver, contentAtAGlance, openaiUsageFromBody, ResponsesStreamObserver } from "./usage.js";

// Streams recorded from upstream-sim (a prompt sent twice, so the second answer has cached tokens),
// shortened where fields do not matter. The clock handed to each observer is its own event count,
// so `firstTokenAt` says which event carried the first token.

const chunk = (choices: string, usage = "null") =>
  `data: {"id":"chatcmpl-1","object":"chat.completion.chunk","created":1795821349,"model":"gpt-5","system_fingerprint":"fp_upstream_sim","choices":${choices},"usage":${usage}}\n\n`;
const delta = (d: string, finish = "null") => `[{"index":0,"delta":${d},"logprobs":null,"finish_reason":${finish}}]`;
const CHAT_USAGE =
  '{"prompt_tokens":6279,"completion_tokens":3,"total_tokens":6282,"prompt_tokens_details":{"cached_tokens":6257,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0}}';
const CHAT_HEAD = chunk(delta('{"role":"assistant","content":"","refusal":null}'));
const CHAT_TEXT = chunk(delta('{"content":"Hé"}')) + chunk(delta('{"content":" there."}'));
const CHAT_STOP = chunk(delta("{}", '"stop"'));
const CHAT_USAGE_CHUNK = chunk("[]", CHAT_USAGE);
const DONE = "data: [DONE]\n\n";
const CHAT_ERROR =
  'data: {"error":{"message":"The server is overloaded.","type":"server_error","param":null,"code":null}}\n\n';

const cachedChat: Usage = { inputTokens: 22, outputTokens: 3, cacheCreationTokens: 0, cacheReadTokens: 6257 };

interface Case {
  name: string;
  stream: string;
  expected: Partial<ReturnType<typeof observed>>;
}

function run(create: (now: () => number) => StreamObserver, cases: Case[]) {
  for (const { name, stream, expected } of cases) {
    it.each(CHUNK_SIZES.map((size) => [size]))(`${name} (chunks of %s bytes)`, (size) => {
      const observer: StreamObserver = create(() => observer.events);
      pushInChunks(observer, stream, size);
      expect(observed(observer)).toMatchObject(expected);
    });
  }
}

describe("ChatStreamObserver", () => {
  run(
    (now) => new ChatStreamObserver(now),
    [
      {
        name: "include_usage stream: cached tokens taken out of the prompt, first token after the empty role chunk",
        stream: CHAT_HEAD + CHAT_TEXT + CHAT_STOP + CHAT_USAGE_CHUNK + DONE,
        expected: { usage: cachedChat, firstTokenAt: 2, completed: true, streamError: undefined, events: 6 },
      },
      {
        name: "a stream without the usage chunk reports no usage",
        stream: CHAT_HEAD + CHAT_TEXT + CHAT_STOP + DONE,
        expected: { usage: undefined, firstTokenAt: 2, completed: true },
      },
      {
        name: "a stream cut before [DONE] keeps the usage it saw but is not complete",
        stream: CHAT_HEAD + CHAT_TEXT + CHAT_STOP + CHAT_USAGE_CHUNK,
        expected: { usage: cachedChat, completed: false },
      },
      {
        name: "a stream cut mid-event sees only whole events",
        stream: CHAT_HEAD + CHAT_TEXT + CHAT_USAGE_CHUNK.slice(0, 80),
        expected: { usage: undefined, completed: false, events: 3 },
      },
      {
        name: "tool calls are tokens too",
        stream: CHAT_HEAD + chunk(delta('{"tool_calls":[{"index":0,"id":"call_1","function":{"name":"f"}}]}')) + DONE,
        expected: { firstTokenAt: 2, completed: true },
      },
      {
        name: "an error event inside the stream",
        stream: CHAT_HEAD + CHAT_ERROR,
        expected: {
          streamError: { type: "server_error", message: "The server is overloaded." },
          completed: false,
          firstTokenAt: undefined,
        },
      },
    ],
  );
});

describe("contentAtAGlance", () => {
  const data = (choices: string) => chunk(choices).slice("data: ".length, -2);
  it.each([
    ["the opening delta", data(delta('{"role":"assistant","content":"","refusal":null}')), false],
    ["the opening delta without refusal", data(delta('{"role":"assistant","content":""}')), false],
    ["text", data(delta('{"content":"Hé"}')), true],
    ["text starting with an escaped quote", data(delta('{"content":"\\"quoted\\""}')), true],
    ["empty text", data(delta('{"content":""}')), undefined],
    [
      "the opening delta with more fields",
      data(delta('{"role":"assistant","content":"","refusal":null,"x":1}')),
      undefined,
    ],
    ["tool calls", data(delta('{"tool_calls":[{"index":0,"id":"call_1"}]}')), undefined],
    ["null content", data(delta('{"role":"assistant","content":null}')), undefined],
    ["spaced JSON", data(delta('{"content": "Hé"}')), undefined],
    ["no delta (the usage chunk)", data("[]"), undefined],
    [
      "two choices",
      data(
        '[{"index":0,"delta":{"role":"assistant","content":"","refusal":null}},{"index":1,"delta":{"content":"x"}}]',
      ),
      undefined,
    ],
  ])("%s", (_name, chunkData, expected) => {
    expect(() => JSON.parse(chunkData)).not.toThrow();
    expect(contentAtAGlance(chunkData)).toBe(expected);
  });
});

const event = (type: string, fields: string) => `event: ${type}\ndata: {"type":"${type}",${fields}}\n\n`;
const RESPONSE = (status: string, usage: string, extra = "") =>
  `"response":{"id":"resp_1","object":"response","created_at":1795821349,"status":"${status}","error":null,"model":"gpt-5","output":[],${extra}"usage":${usage}}`;
const RESPONSES_USAGE =
  '{"input_tokens":6261,"input_tokens_details":{"cached_tokens":6250},"output_tokens":3,"output_tokens_details":{"reasoning_tokens":1},"total_tokens":6264}';
const at = '"item_id":"msg_1","output_index":0,"content_index":0';
const RESPONSES_HEAD =
  event("response.created", `"sequence_number":0,${RESPONSE("in_progress", "null")}`) +
  event("response.in_progress", `"sequence_number":1,${RESPONSE("in_progress", "null")}`) +
  event(
    "response.output_item.added",
    `"sequence_number":2,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}`,
  ) +
  event(
    "response.content_part.added",
    `"sequence_number":3,${at},"part":{"type":"output_text","text":"","annotations":[]}`,
  );
const RESPONSES_TEXT =
  event("response.output_text.delta", `"sequence_number":4,${at},"delta":"Hé","logprobs":[]`) +
  event("response.output_text.delta", `"sequence_number":5,${at},"delta":" there.","logprobs":[]`) +
  event("response.output_text.done", `"sequence_number":6,${at},"text":"Hé there.","logprobs":[]`) +
  event(
    "response.output_item.done",
    `"sequence_number":7,"output_index":0,"item":{"id":"msg_1","type":"message","status":"completed","role":"assistant","content":[{"type":"output_text","text":"Hé there.","annotations":[]}]}`,
  );
const RESPONSES_COMPLETED = event(
  "response.completed",
  `"sequence_number":8,${RESPONSE("completed", RESPONSES_USAGE)}`,
);
const cachedResponses: Usage = { inputTokens: 11, outputTokens: 3, cacheCreationTokens: 0, cacheReadTokens: 6250 };

describe("ResponsesStreamObserver", () => {
  run(
    (now) => new ResponsesStreamObserver(now),
    [
      {
        name: "a recorded stream: usage from response.completed, cached tokens taken out of input",
        stream: RESPONSES_HEAD + RESPONSES_TEXT + RESPONSES_COMPLETED,
        expected: {
          usage: cachedResponses,
          firstTokenAt: 5,
          completed: true,
          streamError: undefined,
          events: 9,
          continuation: "resp_1",
        },
      },
      {
        name: "the same stream without event: lines (type read from the data)",
        stream: (RESPONSES_HEAD + RESPONSES_TEXT + RESPONSES_COMPLETED).replace(/^event: .*\n/gm, ""),
        expected: { usage: cachedResponses, firstTokenAt: 5, completed: true },
      },
      {
        name: "response.incomplete is a proper end and carries usage",
        stream:
          RESPONSES_HEAD +
          RESPONSES_TEXT +
          event(
            "response.incomplete",
            `"sequence_number":8,${RESPONSE("incomplete", RESPONSES_USAGE, '"incomplete_details":{"reason":"max_output_tokens"},')}`,
          ),
        expected: { usage: cachedResponses, completed: true },
      },
      {
        name: "response.failed is a stream error, with whatever usage it reports",
        stream:
          RESPONSES_HEAD +
          event(
            "response.failed",
            `"sequence_number":4,"response":{"id":"resp_1","status":"failed","error":{"code":"server_error","message":"boom"},"usage":${RESPONSES_USAGE}}`,
          ),
        expected: {
          usage: cachedResponses,
          completed: false,
          streamError: { type: "server_error", message: "boom" },
          firstTokenAt: undefined,
        },
      },
      {
        name: "an error event (flat, as documented)",
        stream: RESPONSES_HEAD + event("error", `"code":"server_error","message":"overloaded","param":null`),
        expected: { streamError: { type: "server_error", message: "overloaded" }, completed: false },
      },
      {
        name: "an error event (nested, as the API sends it)",
        stream:
          RESPONSES_HEAD +
          event("error", `"error":{"type":"server_error","code":"rate_limit_exceeded","message":"slow down"}`),
        expected: { streamError: { type: "rate_limit_exceeded", message: "slow down" } },
      },
      {
        name: "a stream cut before response.completed: no usage, not complete",
        stream: RESPONSES_HEAD + RESPONSES_TEXT + RESPONSES_COMPLETED.slice(0, 120),
        expected: { usage: undefined, completed: false, firstTokenAt: 5, events: 8 },
      },
    ],
  );
});

describe("openaiUsageFromBody", () => {
  it.each([
    [
      "a chat completion",
      { object: "chat.completion", usage: JSON.parse(CHAT_USAGE) },
      { inputTokens: 22, outputTokens: 3, cacheCreationTokens: 0, cacheReadTokens: 6257 },
    ],
    [
      "a chat completion without details",
      { usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } },
      { inputTokens: 12, outputTokens: 5, cacheCreationTokens: 0, cacheReadTokens: 0 },
    ],
    ["a Responses object", { object: "response", usage: JSON.parse(RESPONSES_USAGE) }, cachedResponses],
    [
      "cached above the prompt is clamped to it",
      { usage: { input_tokens: 5, input_tokens_details: { cached_tokens: 9 }, output_tokens: 1 } },
      { inputTokens: 0, outputTokens: 1, cacheCreationTokens: 0, cacheReadTokens: 5 },
    ],
    [
      "garbage counts read as 0",
      { usage: { prompt_tokens: "12", completion_tokens: -3 } },
      { inputTokens: 0, outputTokens: 0, cacheCreationTokens: 0, cacheReadTokens: 0 },
    ],
    ["no usage", { object: "response" }, undefined],
    ["not an object", [1, 2], undefined],
  ])("%s", (_name, body, expected) => {
    expect(openaiUsageFromBody(body)).toEqual(expected);
  });
});
