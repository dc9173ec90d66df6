passwd	after=files	melee
group	after=files	melee
shadow	after=files	melee
