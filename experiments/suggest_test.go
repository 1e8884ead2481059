package experiments

import "testing"

func TestSuggest(t *testing.T) {
	names := []string{"hidden", "batch", "steps", "lr", "T", "task"}
	for word, want := range map[string]string{
		"hiden": "hidden", "hidne": "hidden", "HIDDEN": "hidden", "stpes": "steps", "btach": "batch",
		"colour": "", "l": "lr", "xyz": "",
	} {
		if got := Suggest(word, names); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", word, got, want)
		}
	}
}
