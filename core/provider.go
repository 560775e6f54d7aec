package core

// ProviderNamer is implemented by a store that can name itself ("sqlite",
// "postgres"): the provider agents see in results, as Marcus names its
// kanban provider.
type ProviderNamer interface {
	Provider() string
}

// Provider names the store the coordinator works on, or "unknown".
func (c *Coordinator) Provider() string {
	if n, ok := c.store.(ProviderNamer); ok {
		return n.Provider()
	}
	return "unknown"
}
