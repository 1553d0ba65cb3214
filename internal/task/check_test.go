package task

import "testing"

func TestCheckBrief(t *testing.T) {
	b := Brief{Hashtags: []string{"启程OTA", "#SUV"}, KeyMessages: []string{"城市 领航"}, Platforms: []string{"douyin"}}
	posts := []Post{{Platform: "douyin", URL: "https://v.douyin.com/x"}}
	c := CheckBrief(b, false, "今天试了城市领航 #启程ota #suv", posts)
	if !c.Passed || len(c.Findings) != 4 {
		t.Fatalf("case and spaces are folded, # optional in the brief: %+v", c)
	}
	c = CheckBrief(b, true, "今天试了城市领航 #启程OTA", nil)
	missing := map[string]bool{}
	for _, f := range c.Findings {
		if !f.Found {
			missing[f.Rule+":"+f.Expected] = true
		}
	}
	if c.Passed || !missing["hashtag:#SUV"] || !missing["platform:douyin"] || !missing["disclosure:广告 / 合作 / #ad"] || len(missing) != 3 {
		t.Fatalf("findings: %+v", c)
	}
	if c := CheckBrief(Brief{}, true, "品牌合作 体验", nil); !c.Passed {
		t.Fatalf("合作 is a disclosure: %+v", c)
	}
	if c := CheckBrief(Brief{}, false, "", nil); !c.Passed || len(c.Findings) != 0 {
		t.Fatalf("an empty brief asks nothing: %+v", c)
	}
}
