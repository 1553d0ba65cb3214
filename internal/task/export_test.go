package task

// AfterCandidates makes Expire call f between reading its candidates and
// locking them, so a test can change a claim in that gap.
func AfterCandidates(s *Service, f func()) { s.afterCandidates = f }
