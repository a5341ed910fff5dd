// Drives the grid's OpenAI-compatible API with the real openai npm client; prints one JSON object for the C# test.
// Usage: node client.mjs BASE_URL MODEL
import OpenAI from 'openai';

const [baseUrl, model] = process.argv.slice(2);
const client = new OpenAI({ baseURL: new URL('v1', baseUrl).toString(), apiKey: process.env.VERLORLEANS_TOKEN ?? 'open-grid', maxRetries: 0 });

const models = await client.models.list();
const completion = await client.completions.create({ model, prompt: 'Janet has ducks', max_tokens: 8, temperature: 0 });
const chat = await client.chat.completions.create({
  model,
  messages: [{ role: 'user', content: 'Name a prime.' }],
  max_completion_tokens: 8,
  temperature: 0,
  chat_template_kwargs: { enable_thinking: false },
});

let streamed = '';
let streamFinish = null;
const stream = await client.chat.completions.create({
  model,
  messages: [{ role: 'user', content: 'Name a prime.' }],
  max_completion_tokens: 8,
  temperature: 0,
  stream: true,
});
for await (const chunk of stream) {
  streamed += chunk.choices[0]?.delta?.content ?? '';
  streamFinish = chunk.choices[0]?.finish_reason ?? streamFinish;
}

let refused = null;
try {
  await client.completions.create({ model, prompt: 'hi', frequency_penalty: 0.5 });
} catch (e) {
  refused = { status: e.status, param: e.param ?? e.error?.param ?? null, code: e.code ?? e.error?.code ?? null, type: e.type ?? e.error?.type ?? null };
}

// lm-evaluation-harness's loglikelihood request (local-completions): a batch of token-id prompts, echo, one token.
const [first, second] = JSON.parse(process.env.VERLORLEANS_SCORED_PROMPTS ?? '[[1, 2], [3, 4]]');
const scored = await client.completions.create({ model, prompt: [first, second], max_tokens: 1, logprobs: 1, echo: true, temperature: 0 });
const chatLogprobs = await client.chat.completions.create({
  model,
  messages: [{ role: 'user', content: 'Name a prime.' }],
  max_completion_tokens: 4,
  temperature: 0,
  logprobs: true,
  top_logprobs: 2,
});

let missing = null;
try {
  await client.completions.create({ model: 'no-such-model', prompt: 'hi' });
} catch (e) {
  missing = { status: e.status, code: e.code ?? e.error?.code ?? null };
}

console.log(JSON.stringify({
  models: models.data.map(m => m.id),
  completion: { text: completion.choices[0].text, finish_reason: completion.choices[0].finish_reason, usage: completion.usage },
  chat: { content: chat.choices[0].message.content, role: chat.choices[0].message.role, finish_reason: chat.choices[0].finish_reason },
  stream: { content: streamed, finish_reason: streamFinish },
  refused,
  scored: scored.choices.map(c => ({ index: c.index, token_logprobs: c.logprobs.token_logprobs, top_logprobs: c.logprobs.top_logprobs, tokens: c.logprobs.tokens })),
  chat_logprobs: chatLogprobs.choices[0].logprobs.content.map(t => ({ token: t.token, logprob: t.logprob, top: t.top_logprobs.length })),
  missing,
}));
