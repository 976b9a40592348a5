# Table 3: teacher temperature gamma_T = 0.05, student gamma_S = 0.05.
_base_ = ['../r2plus1d_k100.py']
model = dict(head=dict(temp_teacher=0.05, temp_student=0.05))
