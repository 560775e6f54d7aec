// Package llm holds marcus's model-backed planners: they speak the
// Anthropic Messages API and any OpenAI-compatible chat completions API
// (OpenAI, Ollama, vLLM, OpenRouter). Each implements core.Planner; the
// creation pipeline in core/plan runs them. The offline planner, the default,
// is package offline.
package llm
