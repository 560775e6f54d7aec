// Package llm holds marcus's planners: the offline planner (the default: no
// key, no network, deterministic) and the model-backed planners that speak
// the Anthropic Messages API and any OpenAI-compatible chat completions API
// (OpenAI, Ollama, vLLM, OpenRouter). Each implements core.Planner; the
// creation pipeline in core runs them.
package llm
