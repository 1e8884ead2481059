package experiments

import "strings"

// Suggest returns the candidate nearest to word, for a "did you mean" hint: the one with
// the fewest single-character edits (ignoring case), if that is at most 2 and at most a
// third of word's length, rounded (at least 1); "" when none is that near.
func Suggest(word string, candidates []string) string {
	best, bestD := "", -1
	limit := min(2, max(1, (len([]rune(word))+1)/3))
	for _, c := range candidates {
		d := editDistance(strings.ToLower(word), strings.ToLower(c))
		if d <= limit && (bestD < 0 || d < bestD) {
			best, bestD = c, d
		}
	}
	return best
}

// didYouMean is ` (did you mean "x"?)` for the candidate nearest to word, "" if none.
func didYouMean(word string, candidates []string) string {
	if s := Suggest(word, candidates); s != "" && s != word {
		return ` (did you mean "` + s + `"?)`
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, counted in runes; a swap of
// two neighbouring characters counts as one edit.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	prev2 := make([]int, len(y)+1)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(y)]
}
