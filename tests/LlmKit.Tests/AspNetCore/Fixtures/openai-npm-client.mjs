// Drives the npm `openai` package against LlmKit's OpenAI-compatible endpoints (run by OfficialOpenAIClientTests).
// Prints one JSON object with what the client saw; the test asserts on it.
import { pathToFileURL } from 'node:url';

const { default: OpenAI } = await import(pathToFileURL(process.env.LLMKIT_OPENAI_MODULE).href);
const client = new OpenAI({ baseURL: process.env.LLMKIT_BASE_URL, apiKey: process.env.LLMKIT_API_KEY, maxRetries: 0 });
const out = {};

const chat = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'Hi' }] });
out.chat = chat.choices[0].message.content;
out.chatTotalTokens = chat.usage.total_tokens;

const stream = await client.chat.completions.create({
  model: 'smart', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'Hi' }],
});
out.stream = '';
for await (const chunk of stream) {
  if (chunk.choices.length > 0 && chunk.choices[0].delta.content) out.stream += chunk.choices[0].delta.content;
  if (chunk.usage) out.streamTotalTokens = chunk.usage.total_tokens;
}

const tool = await client.chat.completions.create({
  model: 'smart',
  messages: [{ role: 'user', content: 'Weather?' }],
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
});
out.toolName = tool.choices[0].message.tool_calls[0].function.name;
out.toolArguments = tool.choices[0].message.tool_calls[0].function.arguments;

// The client asks for base64 by default and decodes it: this checks LlmKit's base64 encoding too.
const embeddings = await client.embeddings.create({ model: 'embed', input: ['one two', 'three'] });
out.embedding = Array.from(embeddings.data[0].embedding);

const models = [];
for await (const model of client.models.list()) models.push(model.id);
out.models = models.sort();

try {
  await client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'Hi' }] });
} catch (e) {
  out.unknownModelStatus = e.status;
  out.unknownModelCode = e.code;
}

const wrong = new OpenAI({ baseURL: process.env.LLMKIT_BASE_URL, apiKey: 'llmk_0000000000000000_nope', maxRetries: 0 });
try {
  await wrong.models.list();
} catch (e) {
  out.wrongKeyStatus = e.status;
}

process.stdout.write(JSON.stringify(out));
