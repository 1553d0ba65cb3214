package demo

import (
	"context"
	"fmt"
	"time"

	"kox/internal/loan"
	"kox/internal/member"
	"kox/internal/program"
)

// asMember is the member's own scope, as the portal gives it.
func asMember(sc program.Scope, m member.Member) program.Scope {
	return program.Scope{Program: sc.Program, Role: program.RoleMember,
		Actor: program.Actor{Kind: program.ActorMember, ID: m.ID, PublicID: m.PublicID, ProgramID: sc.Program.ID, Role: program.RoleMember, Name: m.Name}}
}

var (
	fleetModels  = []string{"启程 S7 长续航版", "启程 S7 四驱性能版", "启程 S9 六座版", "启程 X5 城市版"}
	fleetColours = []string{"星云灰", "冰川白", "曜石黑", "极光蓝", "晨曦金"}
	fleetCities  = []struct{ city, plate string }{{"上海", "沪A"}, {"杭州", "浙A"}, {"北京", "京A"}, {"深圳", "粤B"}, {"成都", "川A"}}
)

// fleetDemo is the product rung's loan fleet (SPEC A3, seeds 001 and
// 003): forty cars, most on six-month loans as the family's only car, each
// loan with its signed agreement, handover checklist and the 26-week diary
// assigned with it; a car that came back, one promised and not yet handed
// over, one late back, two at the workshop and one retired; each car's
// insurance, depreciation and repairs spent on the test car line.
type fleetDemo struct {
	g     *gen
	loans *loan.Service
	sc    program.Scope
	units []loan.Unit
}

// fleetUnits adds the forty cars, available.
func (f *fleetDemo) fleetUnits(ctx context.Context) error {
	for i := range 40 {
		c := fleetCities[i%len(fleetCities)]
		u, err := f.loans.CreateUnit(ctx, f.sc, loan.UnitInput{VIN: fmt.Sprintf("LQC%s%08d", []string{"S7L", "S7P", "S9F", "X5C"}[i%4], 26001000+i*37),
			Model: fleetModels[i%len(fleetModels)], Colour: fleetColours[(i*3)%len(fleetColours)], Plate: fmt.Sprintf("%s·D%05d", c.plate, 10000+i*173),
			City: c.city, Mileage: 20 + f.g.rng.IntN(400)})
		if err != nil {
			return err
		}
		f.units = append(f.units, u)
	}
	return nil
}

// lend agrees a six-month loan of unit u to m from start (with the diary
// task when one is named), has the member sign it and hands the car over.
func (f *fleetDemo) lend(ctx context.Context, u loan.Unit, m member.Member, start time.Time, months int, diary string) (loan.Loan, error) {
	loc := f.sc.Program.Location()
	l, err := f.loans.Create(ctx, f.sc, loan.LoanInput{Unit: u.PublicID, Member: m.PublicID, StartsOn: start.In(loc).Format(time.DateOnly),
		EndsOn: start.In(loc).AddDate(0, months, -1).Format(time.DateOnly), Ladder: "main", MinTier: "product", DiaryTask: diary,
		Terms: "一、本车借用期内作为家庭唯一用车，日常通勤、购物、接送孩子与长途出行均可使用。\n二、每周发布一篇真实用车日记，并标注 #广告。\n" +
			"三、保险、保养与维修由启程汽车承担；违章与燃油/充电费用由借用人承担。\n四、借用期满或不再担任长期体验官时，于约定日期前归还。"})
	if err != nil {
		return loan.Loan{}, err
	}
	if _, err := f.loans.Sign(ctx, asMember(f.sc, m), l.PublicID, m.Name); err != nil {
		return loan.Loan{}, err
	}
	return f.loans.HandOver(ctx, f.sc, l.PublicID, loan.LoanCheckInput{Mileage: u.Mileage + 5, Items: loan.ChecklistItems,
		Note: []string{"", "右后轮毂轻微划痕，已拍照", "随车附赠便携充电枪", ""}[f.g.rng.IntN(4)]})
}

// rest is the fleet beyond the diarists' cars (the first lent units): a
// loan that came back, one past its day and still out, one promised, two
// cars at the workshop and one retired; and every car's costs.
func (f *fleetDemo) rest(ctx context.Context, extra []member.Member, lent int) error {
	now := f.g.DB.Now()
	next := lent
	take := func() loan.Unit { u := f.units[next]; next++; return u }
	var returned loan.Loan
	for i, m := range extra {
		u := take()
		switch i {
		case 0: // three months last spring, back with 3,800 km more
			l, err := f.lend(ctx, u, m, now.AddDate(0, -8, 0), 3, "")
			if err == nil {
				l, err = f.loans.TakeBack(ctx, f.sc, l.PublicID, loan.LoanCheckInput{Mileage: u.Mileage + 3_805, Items: loan.ChecklistItems[:6],
					Note: "车内有轻微异味，已安排清洁"})
			}
			if err != nil {
				return fmt.Errorf("returned loan: %w", err)
			}
			returned = l
		case 1: // three months that ended three days ago; the car is not back
			if _, err := f.lend(ctx, u, m, now.AddDate(0, -3, -2), 3, ""); err != nil {
				return fmt.Errorf("late loan: %w", err)
			}
		case 2: // agreed for next week, not yet signed
			loc := f.sc.Program.Location()
			if _, err := f.loans.Create(ctx, f.sc, loan.LoanInput{Unit: u.PublicID, Member: m.PublicID, Ladder: "main", MinTier: "product",
				StartsOn: now.In(loc).AddDate(0, 0, 7).Format(time.DateOnly), EndsOn: now.In(loc).AddDate(0, 6, 6).Format(time.DateOnly),
				Terms: "一、本车借用期内作为家庭唯一用车。\n二、每周发布一篇真实用车日记。"}); err != nil {
				return fmt.Errorf("promised loan: %w", err)
			}
		}
	}
	if _, err := f.loans.Overdue(ctx); err != nil {
		return err
	}
	for i, st := range []string{loan.InService, loan.InService, loan.Retired} {
		if next >= len(f.units) {
			break
		}
		u := take()
		if _, err := f.loans.UpdateUnit(ctx, f.sc, u.PublicID, loan.UnitInput{Model: u.Model, Colour: u.Colour, Plate: u.Plate, City: u.City,
			Mileage: u.Mileage, Note: []string{"前保险杠更换中", "首保", "事故车，已报废"}[i]}); err != nil {
			return err
		}
		if _, err := f.loans.SetStatus(ctx, f.sc, u.PublicID, st); err != nil {
			return err
		}
	}
	// Costs (seed 003): a year's insurance on every car, two months'
	// depreciation on each loan, the returned car's clean-up, repairs.
	line := f.g.lines["test_cars"]
	spend := func(u string, kind string, fen int64, loanRef, note string) error {
		_, err := f.loans.AddCost(ctx, f.sc, u, loan.UnitCostInput{Kind: kind, BudgetLine: line, Amount: fen, Loan: loanRef, Note: note})
		return err
	}
	ls, err := f.loans.List(ctx, f.sc, loan.LoanFilter{})
	if err != nil {
		return err
	}
	for _, u := range f.units {
		if err := spend(u.PublicID, "insurance", 360_000, "", "商业险 + 交强险（年）"); err != nil {
			return err
		}
	}
	for i, l := range ls {
		if l.Status == loan.LoanReserved {
			continue
		}
		if err := spend(l.Unit, "depreciation", 400_000, l.PublicID, "两个月折旧"); err != nil {
			return err
		}
		if err := spend(l.Unit, "opportunity", 150_000, l.PublicID, "未用于试驾的机会成本"); err != nil {
			return err
		}
		if i%7 == 3 {
			if err := spend(l.Unit, "repairs", 185_050, l.PublicID, "更换右后视镜"); err != nil {
				return err
			}
		}
		if i%5 == 1 {
			if err := spend(l.Unit, "maintenance", 60_000, l.PublicID, "常规保养"); err != nil {
				return err
			}
		}
	}
	if returned.PublicID != "" {
		if err := spend(returned.Unit, "maintenance", 45_000, returned.PublicID, "还车深度清洁"); err != nil {
			return err
		}
	}
	return nil
}
