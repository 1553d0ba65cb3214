package task

import (
	"strings"
	"unicode"
)

// disclosureMarks are the words that say a post is sponsored or brand-made,
// as platforms and China's advertising rules expect them.
var disclosureMarks = []string{"#广告", "广告", "#合作", "合作", "赞助", "品牌合作", "#ad", "sponsored", "#sponsored", "paid partnership"}

// CheckBrief checks a submission against the task's brief (T5): every
// required hashtag and key message present, a post on every platform the
// brief names, and a disclosure where the brief or the member's source
// requires one. It informs the reviewer; it does not decide.
func CheckBrief(b Brief, disclosureRequired bool, text string, posts []Post) Check {
	norm := normalize(text)
	c := Check{Passed: true, Findings: []Finding{}}
	add := func(rule, expected string, found bool) {
		c.Findings = append(c.Findings, Finding{Rule: rule, Expected: expected, Found: found})
		if !found {
			c.Passed = false
		}
	}
	for _, h := range b.Hashtags {
		tag := strings.TrimPrefix(strings.TrimSpace(h), "#")
		add("hashtag", "#"+tag, strings.Contains(norm, normalize("#"+tag)))
	}
	for _, m := range b.KeyMessages {
		add("key_message", m, strings.Contains(norm, normalize(m)))
	}
	for _, p := range b.Platforms {
		found := false
		for _, post := range posts {
			if post.Platform == p {
				found = true
			}
		}
		add("platform", p, found)
	}
	if b.DisclosureRequired || disclosureRequired {
		found := false
		for _, mark := range disclosureMarks {
			if strings.Contains(norm, normalize(mark)) {
				found = true
			}
		}
		add("disclosure", "广告 / 合作 / #ad", found)
	}
	return c
}

// normalize folds case and drops spaces, so that "OTA 升级" finds "ota升级".
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if !unicode.IsSpace(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}
