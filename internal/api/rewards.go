package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"kox/internal/badge"
	"kox/internal/catalog"
	"kox/internal/fault"
	"kox/internal/payout"
	"kox/internal/points"
	"kox/internal/program"
	"kox/internal/sheet"
	"kox/internal/tax"
)

type ItemRef struct {
	ProgramRef
	Item string `path:"item" maxLength:"64" doc:"The item's id (itm_…)."`
}

type itemOut struct{ Body catalog.Item }

type itemsIn struct {
	ProgramRef
	Page
	Kind   string `query:"kind" enum:"virtual,coupon,merchandise,product_use,event_seat,experience,"`
	Status string `query:"status" enum:"active,archived," doc:"Operators: archived items too."`
}

type itemsOut struct {
	Body struct {
		Items      []catalog.Item `json:"items"`
		NextCursor string         `json:"next_cursor,omitempty"`
	}
}

type itemIn struct {
	ProgramRef
	Body catalog.ItemInput
}

type updateItemIn struct {
	ItemRef
	Body catalog.ItemInput
}

type itemStatusIn struct {
	ItemRef
	Body struct {
		Status string `json:"status" enum:"active,archived"`
	}
}

type variantIn struct {
	ItemRef
	Body catalog.VariantInput
}

type restockIn struct {
	ItemRef
	Body struct {
		Variant string `json:"variant,omitempty" doc:"Empty for an item's only variant."`
		Units   int64  `json:"units" doc:"Units to add; negative takes unredeemed units out."`
		Reason  string `json:"reason,omitempty" maxLength:"500"`
	}
}

type codesIn struct {
	ItemRef
	Format  string `query:"format" enum:"csv,xlsx" required:"true"`
	RawBody []byte `contentType:"application/octet-stream" doc:"The file: one code a row in the first column."`
}

type codesOut struct{ Body catalog.CodeImport }

type shelfIn struct {
	MemberRef
	Kind string `query:"kind" enum:"virtual,coupon,merchandise,product_use,event_seat,experience,"`
}

type shelfOut struct{ Body catalog.Shelf }

type redeemIn struct {
	ProgramRef
	Body catalog.RedeemInput
}

type RedemptionRef struct {
	ProgramRef
	Redemption string `path:"redemption" maxLength:"64" doc:"The redemption's id (rdm_…)."`
}

type redemptionOut struct{ Body catalog.Redemption }

type redemptionsIn struct {
	ProgramRef
	Page
	Member string `query:"member" maxLength:"64"`
	Item   string `query:"item" maxLength:"64"`
	Status string `query:"status" enum:"ordered,fulfilled,shipped,delivered,returned,cancelled,"`
}

type redemptionsOut struct {
	Body struct {
		Items      []catalog.Redemption `json:"items"`
		NextCursor string               `json:"next_cursor,omitempty"`
	}
}

type cancelRedemptionIn struct {
	RedemptionRef
	Body struct {
		Reason string `json:"reason,omitempty" maxLength:"500"`
	}
}

type advanceIn struct {
	RedemptionRef
	Body catalog.Shipment
}

type adjustIn struct {
	ProgramRef
	Body points.Adjustment
}

type adjustOut struct {
	Body struct {
		Members int `json:"members"`
	}
}

type rewardSettings struct {
	PointsExpiryMonths int      `json:"points_expiry_months" minimum:"0" maximum:"60" doc:"How long points earned from now on last; 0: forever."`
	TaxRule            tax.Rule `json:"tax_rule" enum:"cn_labour,none" doc:"cn_labour: China's withholding on labour remuneration, per payment."`
}

type settingsOut struct{ Body rewardSettings }

type pointsSettingIn struct {
	ProgramRef
	Body struct {
		Months int `json:"months" minimum:"0" maximum:"60"`
	}
}

type taxRuleIn struct {
	ProgramRef
	Body struct {
		TaxRule tax.Rule `json:"tax_rule" enum:"cn_labour,none"`
	}
}

type payeeIn struct {
	MemberRef
	Body payout.PayeeInput
}

type payeeOut struct{ Body payout.Payee }

type BatchRef struct {
	ProgramRef
	Batch string `path:"batch" maxLength:"64" doc:"The batch's id (pob_…)."`
}

type batchOut struct{ Body payout.Batch }

type batchesOut struct {
	Body struct {
		Items      []payout.Batch `json:"items"`
		NextCursor string         `json:"next_cursor,omitempty"`
	}
}

type batchIn struct {
	ProgramRef
	Body payout.BatchInput
}

type excludeIn struct {
	BatchRef
	Body struct {
		Member string `json:"member" maxLength:"64"`
	}
}

type bankFileIn struct {
	BatchRef
	Format string `query:"format" enum:"csv,xlsx" default:"csv"`
}

type statementOut struct{ Body payout.PayoutStatement }

type badgesOut struct {
	Body struct {
		Items []badge.Badge `json:"items"`
	}
}

type badgeIn struct {
	ProgramRef
	Body badge.BadgeInput
}

type badgeOut struct{ Body badge.Badge }

type awardsOut struct {
	Body struct {
		Items []badge.Award `json:"items"`
	}
}

func (s *Server) registerCatalog() {
	tags := []string{"catalog"}
	path := Prefix + "/programs/{program}/catalog"
	add(s, huma.Operation{OperationID: "list-catalog", Method: http.MethodGet, Path: path, Tags: tags,
		Summary: "Catalog items, newest first, with their variants and stock (members see active items)"},
		needs{perm: program.PermProgramRead}, func(ctx context.Context, sc program.Scope, in *itemsIn) (*itemsOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			items, next, err := s.Catalog.List(ctx, sc, catalog.Filter{Kind: catalog.Kind(in.Kind), Status: in.Status, Before: before, Limit: in.limit()})
			if err != nil {
				return nil, err
			}
			out := &itemsOut{}
			out.Body.Items = items
			if next > 0 {
				out.Body.NextCursor = encodeCursor(next)
			}
			return out, nil
		})
	add(s, huma.Operation{OperationID: "create-catalog-item", Method: http.MethodPost, Path: path, Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Add an item: virtual, coupon, merchandise (variants), product use, event seat or experience, with points, unit cost, windows and limits"},
		needs{perm: program.PermRewardsWrite}, func(ctx context.Context, sc program.Scope, in *itemIn) (*itemOut, error) {
			it, err := s.Catalog.Create(ctx, sc, in.Body)
			return &itemOut{Body: it}, err
		})
	add(s, huma.Operation{OperationID: "get-catalog-item", Method: http.MethodGet, Path: path + "/{item}", Tags: tags, Summary: "An item with its variants and stock"},
		needs{perm: program.PermProgramRead}, func(ctx context.Context, sc program.Scope, in *ItemRef) (*itemOut, error) {
			it, err := s.Catalog.Get(ctx, sc, in.Item)
			return &itemOut{Body: it}, err
		})
	add(s, huma.Operation{OperationID: "update-catalog-item", Method: http.MethodPut, Path: path + "/{item}", Tags: tags,
		Summary: "Rewrite an item (its kind stays; variants are added and stocked on their own)"},
		needs{perm: program.PermRewardsWrite}, func(ctx context.Context, sc program.Scope, in *updateItemIn) (*itemOut, error) {
			it, err := s.Catalog.Update(ctx, sc, in.Item, in.Body)
			return &itemOut{Body: it}, err
		})
	add(s, huma.Operation{OperationID: "set-catalog-item-status", Method: http.MethodPost, Path: path + "/{item}/status", Tags: tags,
		Summary: "Archive an item or bring it back"},
		needs{perm: program.PermRewardsWrite}, func(ctx context.Context, sc program.Scope, in *itemStatusIn) (*itemOut, error) {
			it, err := s.Catalog.SetStatus(ctx, sc, in.Item, in.Body.Status)
			return &itemOut{Body: it}, err
		})
	add(s, huma.Operation{OperationID: "add-catalog-variant", Method: http.MethodPost, Path: path + "/{item}/variants", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Add a variant (size, colour) to merchandise"},
		needs{perm: program.PermRewardsWrite}, func(ctx context.Context, sc program.Scope, in *variantIn) (*itemOut, error) {
			it, err := s.Catalog.AddVariant(ctx, sc, in.Item, in.Body)
			return &itemOut{Body: it}, err
		})
	add(s, huma.Operation{OperationID: "restock-catalog-item", Method: http.MethodPost, Path: path + "/{item}/stock", Tags: tags,
		Summary: "Add units to a variant's stock, or take unredeemed units out"},
		needs{perm: program.PermRewardsWrite, outcome: true}, func(ctx context.Context, sc program.Scope, in *restockIn) (*itemOut, error) {
			it, err := s.Catalog.Restock(ctx, sc, in.Item, in.Body.Variant, in.Body.Units, in.Body.Reason)
			return &itemOut{Body: it}, err
		})
	add(s, huma.Operation{OperationID: "import-coupon-codes", Method: http.MethodPost, Path: path + "/{item}/codes", Tags: tags,
		MaxBodyBytes: catalog.MaxCodeBytes + 1,
		Summary:      "Add a file of unique codes to a coupon's pool (CSV or XLSX): all of them, or, when a row is wrong, none, with each wrong row named"},
		needs{perm: program.PermRewardsWrite}, func(ctx context.Context, sc program.Scope, in *codesIn) (*codesOut, error) {
			imp, err := s.Catalog.ImportCodes(ctx, sc, in.Item, sheet.Format(in.Format), in.RawBody)
			return &codesOut{Body: imp}, err
		})
	add(s, huma.Operation{OperationID: "member-shelf", Method: http.MethodGet, Path: Prefix + "/programs/{program}/members/{member}/shelf", Tags: tags,
		Summary: "The catalog as a member sees it: each item with whether they may redeem it, from when (their tier's window) and whether their points reach"},
		needs{perm: program.PermRewardsRead, members: true}, func(ctx context.Context, sc program.Scope, in *shelfIn) (*shelfOut, error) {
			sh, err := s.Catalog.Shelf(ctx, sc, in.Member, catalog.Kind(in.Kind))
			return &shelfOut{Body: sh}, err
		})
	add(s, huma.Operation{OperationID: "redeem", Method: http.MethodPost, Path: Prefix + "/programs/{program}/redemptions", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Redeem an item: points, stock, a coupon code and the budget move together or not at all"},
		needs{perm: program.PermRewardsWrite, members: true, outcome: true}, func(ctx context.Context, sc program.Scope, in *redeemIn) (*redemptionOut, error) {
			r, err := s.Catalog.Redeem(ctx, sc, in.Body)
			return &redemptionOut{Body: r}, err
		})
	add(s, huma.Operation{OperationID: "list-redemptions", Method: http.MethodGet, Path: Prefix + "/programs/{program}/redemptions", Tags: tags,
		Summary: "Redemptions, newest first (a member sees their own)"},
		needs{perm: program.PermRewardsRead, members: true}, func(ctx context.Context, sc program.Scope, in *redemptionsIn) (*redemptionsOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			rs, next, err := s.Catalog.Redemptions(ctx, sc, catalog.RedemptionFilter{Member: in.Member, Item: in.Item, Status: catalog.Status(in.Status),
				Before: before, Limit: in.limit()})
			if err != nil {
				return nil, err
			}
			out := &redemptionsOut{}
			out.Body.Items = rs
			if next > 0 {
				out.Body.NextCursor = encodeCursor(next)
			}
			return out, nil
		})
	add(s, huma.Operation{OperationID: "get-redemption", Method: http.MethodGet, Path: Prefix + "/programs/{program}/redemptions/{redemption}", Tags: tags,
		Summary: "A redemption with its code or shipment"},
		needs{perm: program.PermRewardsRead, members: true}, func(ctx context.Context, sc program.Scope, in *RedemptionRef) (*redemptionOut, error) {
			r, err := s.Catalog.Redemption(ctx, sc, in.Redemption)
			return &redemptionOut{Body: r}, err
		})
	add(s, huma.Operation{OperationID: "cancel-redemption", Method: http.MethodPost, Path: Prefix + "/programs/{program}/redemptions/{redemption}/cancel", Tags: tags,
		Summary: "Cancel a redemption not yet shipped or fulfilled: points, stock and budget come back"},
		needs{perm: program.PermRewardsWrite, members: true, outcome: true}, func(ctx context.Context, sc program.Scope, in *cancelRedemptionIn) (*redemptionOut, error) {
			r, err := s.Catalog.Cancel(ctx, sc, in.Redemption, in.Body.Reason)
			return &redemptionOut{Body: r}, err
		})
	add(s, huma.Operation{OperationID: "advance-redemption", Method: http.MethodPost, Path: Prefix + "/programs/{program}/redemptions/{redemption}/shipment", Tags: tags,
		Summary: "Record a redemption's progress: shipped (carrier, tracking number), delivered, returned, or fulfilled"},
		needs{perm: program.PermRewardsWrite, outcome: true}, func(ctx context.Context, sc program.Scope, in *advanceIn) (*redemptionOut, error) {
			r, err := s.Catalog.Advance(ctx, sc, in.Redemption, in.Body)
			return &redemptionOut{Body: r}, err
		})
}

func (s *Server) registerPayouts() {
	tags := []string{"payouts"}
	path := Prefix + "/programs/{program}"
	add(s, huma.Operation{OperationID: "adjust-points", Method: http.MethodPost, Path: path + "/points/adjustments", Tags: []string{"points"},
		Summary: "Grant (positive) or deduct (negative) points by hand with a reason, for one member or many: all of them or none"},
		needs{perm: program.PermPointsAdjust, outcome: true}, func(ctx context.Context, sc program.Scope, in *adjustIn) (*adjustOut, error) {
			n, err := s.Points.Adjust(ctx, sc, in.Body)
			out := &adjustOut{}
			out.Body.Members = n
			return out, err
		})
	settings := func(ctx context.Context, sc program.Scope) (*settingsOut, error) {
		months, err := s.Points.ExpiryMonths(ctx, sc)
		if err != nil {
			return nil, err
		}
		rule, err := s.Payouts.TaxRule(ctx, sc)
		return &settingsOut{Body: rewardSettings{PointsExpiryMonths: months, TaxRule: rule}}, err
	}
	add(s, huma.Operation{OperationID: "get-reward-settings", Method: http.MethodGet, Path: path + "/reward-settings", Tags: tags,
		Summary: "How long points last and the tax rule payouts withhold under"},
		needs{perm: program.PermProgramRead}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*settingsOut, error) {
			return settings(ctx, sc)
		})
	add(s, huma.Operation{OperationID: "set-points-expiry", Method: http.MethodPut, Path: path + "/reward-settings/points-expiry", Tags: tags,
		Summary: "How many months points earned from now on last (0: forever)"},
		needs{perm: program.PermProgramUpdate}, func(ctx context.Context, sc program.Scope, in *pointsSettingIn) (*settingsOut, error) {
			if _, err := s.Points.SetExpiryMonths(ctx, sc, in.Body.Months); err != nil {
				return nil, err
			}
			return settings(ctx, sc)
		})
	add(s, huma.Operation{OperationID: "set-tax-rule", Method: http.MethodPut, Path: path + "/reward-settings/tax-rule", Tags: tags,
		Summary: "The withholding rule of batches made from now on"},
		needs{perm: program.PermPayoutsManage}, func(ctx context.Context, sc program.Scope, in *taxRuleIn) (*settingsOut, error) {
			if _, err := s.Payouts.SetTaxRule(ctx, sc, in.Body.TaxRule); err != nil {
				return nil, err
			}
			return settings(ctx, sc)
		})
	add(s, huma.Operation{OperationID: "get-payee", Method: http.MethodGet, Path: path + "/members/{member}/payee", Tags: tags,
		Summary: "A member's payee details, masked (a member reads their own)"},
		needs{perm: program.PermPayoutsManage, members: true}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*payeeOut, error) {
			p, ok, err := s.Payouts.Payee(ctx, sc, in.Member)
			if err == nil && !ok {
				err = fault.New(fault.NotFound, "payout.no_payee", "member {member} has no payee details", fault.P{"member": in.Member})
			}
			return &payeeOut{Body: p}, err
		})
	add(s, huma.Operation{OperationID: "set-payee", Method: http.MethodPut, Path: path + "/members/{member}/payee", Tags: tags,
		Summary: "Keep a member's payee details (legal name, ID number, bank, account), sealed; the answer is masked"},
		needs{perm: program.PermPayoutsManage, members: true}, func(ctx context.Context, sc program.Scope, in *payeeIn) (*payeeOut, error) {
			p, err := s.Payouts.SetPayee(ctx, sc, in.Member, in.Body)
			return &payeeOut{Body: p}, err
		})
	add(s, huma.Operation{OperationID: "member-payouts", Method: http.MethodGet, Path: path + "/members/{member}/payouts", Tags: tags,
		Summary: "What a member is owed, what a batch holds, and their payments with gross, tax withheld and net (a member reads their own)"},
		needs{perm: program.PermLedgerRead, members: true}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*statementOut, error) {
			st, err := s.Payouts.MemberStatement(ctx, sc, in.Member)
			return &statementOut{Body: st}, err
		})
	add(s, huma.Operation{OperationID: "list-payout-batches", Method: http.MethodGet, Path: path + "/payout-batches", Tags: tags, Summary: "Payout batches, newest first, with totals"},
		needs{perm: program.PermPayoutsManage}, func(ctx context.Context, sc program.Scope, in *struct {
			ProgramRef
			Page
		}) (*batchesOut, error) {
			before, err := in.before()
			if err != nil {
				return nil, err
			}
			bs, next, err := s.Payouts.Batches(ctx, sc, before, in.limit())
			if err != nil {
				return nil, err
			}
			out := &batchesOut{}
			out.Body.Items = bs
			if next > 0 {
				out.Body.NextCursor = encodeCursor(next)
			}
			return out, nil
		})
	add(s, huma.Operation{OperationID: "create-payout-batch", Method: http.MethodPost, Path: path + "/payout-batches", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Gather every member owed at least the minimum (with payee details) into a draft batch; each amount is held until paid"},
		needs{perm: program.PermPayoutsManage, outcome: true}, func(ctx context.Context, sc program.Scope, in *batchIn) (*batchOut, error) {
			b, err := s.Payouts.CreateBatch(ctx, sc, in.Body)
			return &batchOut{Body: b}, err
		})
	add(s, huma.Operation{OperationID: "get-payout-batch", Method: http.MethodGet, Path: path + "/payout-batches/{batch}", Tags: tags,
		Summary: "A batch with each line's gross, tax withheld and net, payee details masked"},
		needs{perm: program.PermPayoutsManage}, func(ctx context.Context, sc program.Scope, in *BatchRef) (*batchOut, error) {
			b, err := s.Payouts.Batch(ctx, sc, in.Batch)
			return &batchOut{Body: b}, err
		})
	for _, step := range []struct {
		id, verb, summary string
		run               func(context.Context, program.Scope, string) (payout.Batch, error)
	}{
		{"approve-payout-batch", "approve", "Finance approves a draft batch, every line at once", s.Payouts.Approve},
		{"mark-payout-batch-paid", "paid", "Record that the bank paid an approved batch: every line posts through the ledger, once", s.Payouts.MarkPaid},
		{"cancel-payout-batch", "cancel", "Cancel a batch not paid: what it held goes back to what members are owed", s.Payouts.Cancel},
	} {
		add(s, huma.Operation{OperationID: step.id, Method: http.MethodPost, Path: path + "/payout-batches/{batch}/" + step.verb, Tags: tags, Summary: step.summary},
			needs{perm: program.PermPayoutsManage, outcome: true}, func(ctx context.Context, sc program.Scope, in *BatchRef) (*batchOut, error) {
				b, err := step.run(ctx, sc, in.Batch)
				return &batchOut{Body: b}, err
			})
	}
	add(s, huma.Operation{OperationID: "exclude-payout-line", Method: http.MethodPost, Path: path + "/payout-batches/{batch}/exclude", Tags: tags,
		Summary: "Take a member's line out of a draft batch: their amount carries over"},
		needs{perm: program.PermPayoutsManage, outcome: true}, func(ctx context.Context, sc program.Scope, in *excludeIn) (*batchOut, error) {
			b, err := s.Payouts.Exclude(ctx, sc, in.Batch, in.Body.Member)
			return &batchOut{Body: b}, err
		})
	add(s, huma.Operation{OperationID: "export-payout-batch", Method: http.MethodGet, Path: path + "/payout-batches/{batch}/bank-file", Tags: tags,
		Summary: "The bank file of an approved or paid batch (CSV or XLSX): the only place payee details are whole; each export is audited"},
		needs{perm: program.PermPayoutsManage}, func(ctx context.Context, sc program.Scope, in *bankFileIn) (*huma.StreamResponse, error) {
			format := sheet.Format(in.Format)
			write, err := s.Payouts.BankFile(ctx, sc, in.Batch, format)
			if err != nil {
				return nil, err
			}
			return &huma.StreamResponse{Body: func(hc huma.Context) {
				hc.SetHeader("Content-Type", format.ContentType())
				hc.SetHeader("Cache-Control", "no-store")
				hc.SetHeader("Content-Disposition", `attachment; filename="`+sc.Program.Slug+`-`+in.Batch+`.`+in.Format+`"`)
				if err := write(hc.BodyWriter()); err != nil {
					s.Log.ErrorContext(ctx, "api: bank file", "err", err)
				}
			}}, nil
		})
}

func (s *Server) registerBadges() {
	tags := []string{"badges"}
	add(s, huma.Operation{OperationID: "list-badges", Method: http.MethodGet, Path: Prefix + "/programs/{program}/badges", Tags: tags,
		Summary: "The program's badges, with how many hold each"},
		needs{perm: program.PermProgramRead}, func(ctx context.Context, sc program.Scope, in *ProgramRef) (*badgesOut, error) {
			bs, err := s.Badges.List(ctx, sc)
			out := &badgesOut{}
			out.Body.Items = bs
			return out, err
		})
	add(s, huma.Operation{OperationID: "create-badge", Method: http.MethodPost, Path: Prefix + "/programs/{program}/badges", Tags: tags, DefaultStatus: http.StatusCreated,
		Summary: "Define a badge by a criterion over members' records; members who already meet it get it at once"},
		needs{perm: program.PermRewardsWrite}, func(ctx context.Context, sc program.Scope, in *badgeIn) (*badgeOut, error) {
			b, err := s.Badges.Create(ctx, sc, in.Body)
			return &badgeOut{Body: b}, err
		})
	add(s, huma.Operation{OperationID: "member-badges", Method: http.MethodGet, Path: Prefix + "/programs/{program}/members/{member}/badges", Tags: tags,
		Summary: "The badges a member holds (a member reads their own)"},
		needs{perm: program.PermMembersRead, members: true}, func(ctx context.Context, sc program.Scope, in *MemberRef) (*awardsOut, error) {
			as, err := s.Badges.Of(ctx, sc, in.Member)
			out := &awardsOut{}
			out.Body.Items = as
			return out, err
		})
}
